import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { join, resolve } from 'node:path';
import type { LabelledAspectId, Score } from '../../src/core/aspects';
import { orderReasons } from '../../src/core/explain/reasons';
import { fixPixels, turnedSize, type ScorePixels } from '../../src/core/fix/preview';
import { DEFAULT_PLAN_OPTIONS, turnPixels, type PlanOptions } from '../../src/core/fix/plan';
import { signedLean } from '../../src/core/fix/straighten';
import { AVAILABLE_FIXES, DEFAULT_CROP_ASPECT, type CropBox, type FixKind } from '../../src/core/fixes';
import { cropRect, DETECTED } from '../../src/core/fix/crop';
import { locateItems } from '../../src/core/model/locator';
import type { Pixels } from '../../src/core/image/views';
import { castMeasures } from '../../src/core/measures/measures';
import { loadBundle } from '../../src/core/model/bundle';
import { scorePixels } from '../../src/core/model/predict';
import { parseArgs } from '../lib/cli';
import { BIQ_DIR, orientationOf, storedTurned } from './dataset';
import { decodeNode } from './decode-node';
import { fileReader } from './io';
import { LABELS_FILE, NOTICE_AT, readLabels, saysSideways, type Label } from './labels';
import { useNodeBackend } from './node-backend';
import { rng } from './rng';

const HELP = `npm run fix-evidence -- [--split train|val] [--limit N] [--images A.jpg,B.jpg] [--turned N] [--only colour,exposure,straighten,crop,turn] [--positives]
       [--aspect W/H] [--item-score S] [--sheet DIR] [--angles=-8,-3,3,8]
       [--colour '{"method":"grey-edge"|"median-chroma","strength":1,"strengths":[…],"stretch":false,"stretches":[false,true]}']
       [--exposure '{"targetMedian":0.45,"targets":[…],"blackPoint":false,"blackPoints":[false,true]}'] [--json FILE] [--model DIR] [--keep-size]

Evidence for the one-tap fixes (src/core/fix) on labelled BIQ2021 photos (../shared/data/labels),
scored by the shipped model in Node. Tune on --split train (the default); read val once.
Per fix, on the photos whose labels flag its aspect (severity ≥ ${NOTICE_AT}):
  - the share where the fix lowers that aspect's severity and raises the score (target ≥ 80 %);
  - a check that does not ask the model: colour — the grey-edge distance from grey before and
    after; exposure — the median luma and the share of clipped pixels before and after;
    straighten — the lean of the lines, measured again after (src/core/fix/straighten.ts);
    crop — the share of the photo kept; --sheet DIR draws each crop on its photo, to check by
    eye that the item is kept whole (at --aspect, width / height, default square; --item-score:
    the locator score taken as an item, default ${DETECTED});
  - and, on the photos whose labels do not flag it, how often the coach offers it (≤ 10 %).
Turn: on the photos labelled sideways, the same share (and, with a pixel fix, how often it is
offered without the label); --turned N photos not labelled sideways, turned a quarter either way
(known), must come back upright (the independent check), and the rules for which way is up are
compared.
--limit N takes the first N labelled photos of the split (after a seeded shuffle); --images only
the named ones (comma-separated). --colour tries
another white balance, --exposure another brighten target; their lists (strengths and stretches,
targets and black points) are what the model chooses among, in every combination (the defaults
are the shipped DEFAULT_PLAN_OPTIONS). --angles: angles a straighten tries besides the lines' leans.
--keep-size scores every fixed photo at the pixel size of the photo before the fix: what a
straighten or a crop costs a camera-sized photo, which still has more pixels than the model's
work size after it, rather than a 512 px one that shrinks (it tells the pixel count's share of a
score change from the content's; the shipped figures are without it).`;

const FIX_ASPECT: Record<'colour' | 'exposure' | 'straighten' | 'crop', LabelledAspectId> = { colour: 'color_cast', exposure: 'underexposure', straighten: 'tilt', crop: 'framing' };
type PixelFix = keyof typeof FIX_ASPECT;

const luma = (px: Pixels, p: number) => 0.299 * px.data[p] + 0.587 * px.data[p + 1] + 0.114 * px.data[p + 2];

/** Median luma and the share of pixels at white (≥ 254), 0–255. */
function tones(px: Pixels): { median: number; clipped: number } {
  const hist = new Array(256).fill(0);
  let clipped = 0;
  for (let p = 0; p < px.width * px.height * px.channels; p += px.channels) {
    const y = luma(px, p);
    hist[Math.min(255, Math.round(y))]++;
    if (px.data[p] >= 254 || px.data[p + 1] >= 254 || px.data[p + 2] >= 254) clipped++;
  }
  const n = px.width * px.height;
  let seen = 0;
  let median = 0;
  for (; median < 256; median++) {
    seen += hist[median];
    if (seen >= n / 2) break;
  }
  return { median, clipped: clipped / n };
}

/** The median chroma of the mid-tones' distance from grey (castMeasures' median_chroma_cast). */
const medianChromaCast = (px: Pixels) => castsOf(px)[3];

/** The grey-edge distance from grey (castMeasures' first value) of RGB(A) pixels. */
const greyEdgeCast = (px: Pixels) => castsOf(px)[0];

function castsOf(px: Pixels): number[] {
  const rgb = new Float32Array(px.width * px.height * 3);
  for (let i = 0, p = 0; i < rgb.length; i += 3, p += px.channels) {
    rgb[i] = px.data[p];
    rgb[i + 1] = px.data[p + 1];
    rgb[i + 2] = px.data[p + 2];
  }
  return castMeasures({ data: rgb, width: px.width, height: px.height });
}

/** The photo with the crop's outline drawn on it, as a PNG (for spot checks of the item kept whole). */
function writeSheet(file: string, px: Pixels, crop: CropBox) {
  const png = new PNG({ width: px.width, height: px.height });
  for (let i = 0, p = 0; i < px.width * px.height; i++, p += px.channels) {
    png.data[i * 4] = px.data[p];
    png.data[i * 4 + 1] = px.data[p + 1];
    png.data[i * 4 + 2] = px.data[p + 2];
    png.data[i * 4 + 3] = 255;
  }
  const r = cropRect(crop, px.width, px.height);
  const mark = (x: number, y: number) => {
    const o = (y * px.width + x) * 4;
    [png.data[o], png.data[o + 1], png.data[o + 2]] = [255, 0, 255];
  };
  for (let t = 0; t < 3; t++) {
    for (let x = r.x; x < r.x + r.width; x++) [r.y + t, r.y + r.height - 1 - t].forEach((y) => y >= 0 && y < px.height && mark(x, y));
    for (let y = r.y; y < r.y + r.height; y++) [r.x + t, r.x + r.width - 1 - t].forEach((x) => x >= 0 && x < px.width && mark(x, y));
  }
  writeFileSync(file, PNG.sync.write(png));
}

/**
 * A labelled photo's pixels as its label judged them: as the file stores them, where an EXIF
 * orientation turns them (dataset.ts storedTurned; `upright` sets them upright instead).
 */
async function pixelsOf(image: string, { upright = false } = {}): Promise<{ px: Pixels; size: { width: number; height: number } }> {
  const { rgb, width, height } = await decodeNode(readFileSync(join(BIQ_DIR, 'images', image)), { asStored: !upright && storedTurned(image) });
  const [h, w] = rgb.shape;
  const data = await rgb.data();
  rgb.dispose();
  return { px: { data, width: w, height: h, channels: 3 }, size: { width, height } };
}

interface FixRow {
  image: string;
  fix: PixelFix;
  applied: boolean;
  severityBefore: number;
  severityAfter: number;
  scoreBefore: number;
  scoreAfter: number;
  check: Record<string, number>;
}

interface TurnRow {
  image: string;
  turnedBy: 1 | 3;
  chosen: number;
  candidates: { q: 1 | 3; sideways: number; overall: number; upsideDown?: number }[];
  sidewaysBefore: number;
  sidewaysAfter: number;
  scoreBefore: number;
  scoreAfter: number;
}

interface SidewaysRow {
  image: string;
  turned: number;
  /** The clockwise quarter turns the file's EXIF orientation applies (null: not stored turned). */
  exifTurn: number | null;
  /** Shown upright (EXIF applied), whether the coach raises sideways (null: not stored turned). */
  offeredUpright: boolean | null;
  sidewaysBefore: number;
  sidewaysAfter: number;
  scoreBefore: number;
  scoreAfter: number;
}

/** The clockwise quarter turns of the EXIF orientations that turn a photo without mirroring it. */
const ORIENTATION_TURN: Record<number, number> = { 3: 2, 6: 1, 8: 3 };

/**
 * A share per BIQ2021 subset (the file name's prefix: ss01 personal galleries, ss02 phone photos shot
 * badly on purpose, ss03 Unsplash): a rate on one split is read against another's through its mix.
 */
export function bySubset<T extends { image: string }>(rows: readonly T[], ok: (r: T) => boolean): string {
  const subsets = [...new Set(rows.map((r) => r.image.split(' ')[0]))].sort();
  return subsets
    .map((s) => {
      const mine = rows.filter((r) => r.image.split(' ')[0] === s);
      return `${s} ${pct(mine.filter(ok).length, mine.length)}`;
    })
    .join(', ');
}

const mean = (xs: number[]) => (xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2) : '—');
const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)} % (${n}/${d})` : '— (0/0)');

async function main() {
  const { flags } = parseArgs(process.argv.slice(2), ['help', 'positives', 'keep-size']);
  if (flags.help) return console.log(HELP);
  const split = String(flags.split ?? 'train') as 'train' | 'val';
  const only = new Set(String(flags.only ?? 'colour,exposure,straighten,crop,turn').split(','));
  const options: PlanOptions = {
    colour: { ...DEFAULT_PLAN_OPTIONS.colour, ...(flags.colour ? JSON.parse(String(flags.colour)) : {}) },
    exposure: { ...DEFAULT_PLAN_OPTIONS.exposure, ...(flags.exposure ? JSON.parse(String(flags.exposure)) : {}) },
  };
  const pixelFixes = (['colour', 'exposure', 'straighten', 'crop'] as const).filter((f) => only.has(f));
  // --aspect 4/3 or 1.333, as the help says
  const [aw, ah = 1] = String(flags.aspect ?? DEFAULT_CROP_ASPECT)
    .split('/')
    .map(Number);
  const cropAspect = aw / ah;
  if (!(cropAspect > 0 && Number.isFinite(cropAspect))) throw new Error(`--aspect must be width/height (4/3) or a number (1.333), not ${flags.aspect}`);
  const sheet = flags.sheet ? String(flags.sheet) : null;
  if (sheet) mkdirSync(sheet, { recursive: true });
  await useNodeBackend('wasm');
  const bundle = await loadBundle(fileReader(resolve(String(flags.model ?? 'public/model'))));
  const score: ScorePixels = (px, size) => scorePixels(bundle, px, size);
  const locate = (px: Pixels) => locateItems(bundle, px);
  // the models a photo's fixes are chosen with; --keep-size: the size of the photo being fixed stands for every version of it
  const modelsFor = (photo: { width: number; height: number }) => ({ score: flags['keep-size'] ? (px: Pixels) => score(px, photo) : score, locate });
  const minItemScore = Number(flags['item-score'] ?? DETECTED);
  // --angles -6,-3,3,6: angles a straighten tries besides the lines' leans
  const angles = flags.angles ? String(flags.angles).split(',').map(Number) : undefined;
  const { labels } = readLabels(LABELS_FILE);
  const images = flags.images ? new Set(String(flags.images).split(',')) : null;
  for (const image of images ?? []) if (!labels.some((l) => l.image === image && l.split === split)) throw new Error(`--images: ${image} is not a labelled ${split} photo`);
  const random = rng(20261201);
  const mine = labels
    .filter((l) => l.split === split)
    .map((l) => ({ l, k: random() }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.l)
    .filter((l) => !images || images.has(l.image))
    .slice(0, flags.limit ? Number(flags.limit) : undefined);
  const fixRows: FixRow[] = [];
  const offered: { fix: FixKind; defect: boolean; offered: boolean }[] = [];
  const started = Date.now();
  for (const [i, l] of mine.entries()) {
    if (!pixelFixes.length) break;
    // --positives: only the photos a chosen fix is for (no offer rates; quicker when tuning)
    if (flags.positives && !pixelFixes.some((f) => l.sev[FIX_ASPECT[f]] >= NOTICE_AT)) continue;
    process.stderr.write(`\r  ${i + 1}/${mine.length} ${l.image}        `);
    const { px, size } = await pixelsOf(l.image);
    const models = modelsFor(size);
    const before: Score = await score(px, size);
    const reasons = new Set(orderReasons(before.aspects, before).map((r) => r.aspect));
    if (only.has('turn')) offered.push({ fix: 'turn', defect: saysSideways(l), offered: reasons.has('sideways') });
    for (const fix of pixelFixes) {
      const aspect = FIX_ASPECT[fix];
      const defect = l.sev[aspect] >= NOTICE_AT;
      offered.push({ fix, defect, offered: reasons.has(aspect) });
      if (!defect) continue;
      const out = await fixPixels(models, px, size, [fix], { plan: options, aspect: cropAspect, minItemScore, angles });
      if (fix === 'crop' && sheet && out.plan.crop) writeSheet(join(sheet, `${l.image.replace(/\W+/g, '_')}.png`), px, out.plan.crop);
      const check: Record<string, number> =
        fix === 'colour'
          ? { castBefore: greyEdgeCast(px), castAfter: greyEdgeCast(out.fixed), chromaBefore: medianChromaCast(px), chromaAfter: medianChromaCast(out.fixed) }
          : fix === 'crop'
            ? { kept: out.plan.crop ? out.plan.crop.width * out.plan.crop.height : 1 }
            : fix === 'straighten'
              ? { leanBefore: Math.abs(signedLean(px).degrees), leanAfter: Math.abs(signedLean(out.fixed).degrees) }
              : (() => {
                  const [a, b] = [tones(px), tones(out.fixed)];
                  return { medianBefore: a.median, medianAfter: b.median, clippedBefore: a.clipped, clippedAfter: b.clipped };
                })();
      fixRows.push({
        image: l.image,
        fix,
        applied: out.plan.fixes.includes(fix),
        severityBefore: before.aspects[aspect],
        severityAfter: out.score.aspects[aspect],
        scoreBefore: before.overall,
        scoreAfter: out.score.overall,
        check,
      });
    }
  }
  process.stderr.write('\n');

  // turn on the real sideways photos: the labels say a photo is turned, not which way
  // (for a photo stored turned, its EXIF orientation says which way: an independent check, and
  // shown upright, as browsers show it, the coach should not offer a turn)
  const sidewaysRows: SidewaysRow[] = [];
  const labelledSideways = only.has('turn') ? mine.filter((l: Label) => saysSideways(l)) : [];
  for (const [i, l] of labelledSideways.entries()) {
    process.stderr.write(`\r  sideways ${i + 1}/${labelledSideways.length}        `);
    const { px, size } = await pixelsOf(l.image);
    const before = await score(px, size);
    const out = await fixPixels(modelsFor(size), px, size, ['turn']);
    const asShown = storedTurned(l.image) ? await pixelsOf(l.image, { upright: true }) : null;
    const shown = asShown && (await score(asShown.px, asShown.size));
    sidewaysRows.push({
      image: l.image,
      turned: out.plan.quarterTurns,
      exifTurn: asShown ? (ORIENTATION_TURN[orientationOf(l.image)] ?? null) : null,
      offeredUpright: shown ? orderReasons(shown.aspects, shown).some((r) => r.aspect === 'sideways') : null,
      sidewaysBefore: before.aspects.sideways,
      sidewaysAfter: out.score.aspects.sideways,
      scoreBefore: before.overall,
      scoreAfter: out.score.overall,
    });
  }

  // turn: photos not labelled sideways, turned a known quarter, must come back upright
  const turnRows: TurnRow[] = [];
  // photos whose up is known: not stored turned (their labels judged them as shown) and not labelled sideways
  const upright = only.has('turn') ? mine.filter((l: Label) => !saysSideways(l) && !storedTurned(l.image)).slice(0, Number(flags.turned ?? 60)) : [];
  for (const [i, l] of upright.entries()) {
    process.stderr.write(`\r  turned ${i + 1}/${upright.length}        `);
    const { px, size } = await pixelsOf(l.image);
    const turnedBy: 1 | 3 = i % 2 ? 3 : 1;
    const turned = turnPixels(px, turnedBy);
    const turnedSz = turnedSize(size.width, size.height, turnedBy);
    const before = await score(turned, turnedSz);
    const candidates = [];
    for (const q of [1, 3] as const) {
      const s = await score(turnPixels(turned, q), turnedSize(turnedSz.width, turnedSz.height, q));
      candidates.push({ q, sideways: s.aspects.sideways, overall: s.overall, upsideDown: s.upsideDown });
    }
    const out = await fixPixels(modelsFor(turnedSz), turned, turnedSz, ['turn']);
    turnRows.push({
      image: l.image,
      turnedBy,
      chosen: out.plan.quarterTurns,
      candidates,
      sidewaysBefore: before.aspects.sideways,
      sidewaysAfter: out.score.aspects.sideways,
      scoreBefore: before.overall,
      scoreAfter: out.score.overall,
    });
  }
  process.stderr.write('\n');

  const lines = [`fix evidence on ${split} (${mine.length} labelled photos, ${((Date.now() - started) / 1000).toFixed(0)} s)`, ''];
  lines.splice(1, 0, `white balance: ${JSON.stringify(options.colour)}`);
  for (const fix of pixelFixes) {
    const rows = fixRows.filter((r) => r.fix === fix);
    const better = (r: FixRow) => r.severityAfter < r.severityBefore && r.scoreAfter > r.scoreBefore;
    const helped = rows.filter(better).length;
    const off = offered.filter((o) => o.fix === fix && !o.defect);
    lines.push(`${fix} (${FIX_ASPECT[fix]} labelled ≥ ${NOTICE_AT}: ${rows.length} photos)`);
    lines.push(`  plan changes the photo: ${pct(rows.filter((r) => r.applied).length, rows.length)}`);
    lines.push(`  lowers ${FIX_ASPECT[fix]} and raises the score: ${pct(helped, rows.length)}`);
    lines.push(`    by subset: ${bySubset(rows, better)}`);
    if (fix === 'colour')
      lines.push(
        `  distance from grey lower after — of the edges: ${pct(rows.filter((r) => r.check.castAfter < r.check.castBefore).length, rows.length)}; of the mid-tones' median chroma: ${pct(rows.filter((r) => r.check.chromaAfter < r.check.chromaBefore).length, rows.length)}`,
      );
    else if (fix === 'crop') {
      const applied = rows.filter((r) => r.applied);
      lines.push(`  of those cropped, mean share of the photo kept ${mean(applied.map((r) => r.check.kept))}${sheet ? `; the crops drawn on the photos in ${sheet}/ for spot checks` : ''}`);
    } else if (fix === 'straighten') {
      const applied = rows.filter((r) => r.applied);
      lines.push(
        `  of those straightened, lines within 1° of level after (re-measured): ${pct(applied.filter((r) => r.check.leanAfter <= 1).length, applied.length)}; mean lean before ${mean(applied.map((r) => r.check.leanBefore))}°, after ${mean(applied.map((r) => r.check.leanAfter))}°`,
      );
    } else
      lines.push(
        `  median luma higher after: ${pct(rows.filter((r) => r.check.medianAfter > r.check.medianBefore).length, rows.length)}; clipped share not raised by more than 0.5 points: ${pct(rows.filter((r) => r.check.clippedAfter - r.check.clippedBefore <= 0.005).length, rows.length)}`,
      );
    // a fix the coach does not offer (AVAILABLE_FIXES) has no offer rate: its aspect's reasons still show, without it
    if (AVAILABLE_FIXES.includes(fix)) lines.push(`  offered on photos whose labels do not flag it: ${pct(off.filter((o) => o.offered).length, off.length)}`);
    else
      lines.push(
        `  not offered by the coach (src/core/fixes.ts AVAILABLE_FIXES); ${FIX_ASPECT[fix]} raised as a reason on photos whose labels do not flag it: ${pct(off.filter((o) => o.offered).length, off.length)}`,
      );
  }
  if (sidewaysRows.length) {
    const off = offered.filter((o) => o.fix === 'turn' && !o.defect);
    lines.push(`turn (labelled sideways: ${sidewaysRows.length} photos)`);
    lines.push(`  lowers sideways and raises the score: ${pct(sidewaysRows.filter((r) => r.sidewaysAfter < r.sidewaysBefore && r.scoreAfter > r.scoreBefore).length, sidewaysRows.length)}`);
    lines.push(`  lowers sideways: ${pct(sidewaysRows.filter((r) => r.sidewaysAfter < r.sidewaysBefore).length, sidewaysRows.length)}`);
    const stored = sidewaysRows.filter((r) => r.exifTurn !== null);
    if (stored.length) {
      lines.push(`  stored turned (scored as stored, as labelled): turned the way the file's EXIF orientation turns it: ${pct(stored.filter((r) => r.turned === r.exifTurn).length, stored.length)}`);
      lines.push(`  the same photos shown upright (EXIF applied, as browsers show them): turn offered ${pct(stored.filter((r) => r.offeredUpright).length, stored.length)}`);
    }
    if (off.length) lines.push(`  offered on photos whose labels do not say sideways: ${pct(off.filter((o) => o.offered).length, off.length)}`);
  }
  if (!turnRows.length) {
    console.log(lines.join('\n'));
    if (flags.json) writeFileSync(String(flags.json), JSON.stringify({ split, options, fixRows, offered, sidewaysRows, turnRows }, null, 1));
    return;
  }
  const back = turnRows.filter((r) => (r.turnedBy + r.chosen) % 4 === 0).length;
  const rule = (name: string, pick: (c: TurnRow['candidates']) => number) => `  ${name}: ${pct(turnRows.filter((r) => (r.turnedBy + pick(r.candidates)) % 4 === 0).length, turnRows.length)}`;
  lines.push(`turn (${turnRows.length} photos not labelled sideways, turned a quarter)`);
  lines.push(`  comes back upright (the shipped rule): ${pct(back, turnRows.length)}`);
  lines.push(`  lowers sideways and raises the score: ${pct(turnRows.filter((r) => r.sidewaysAfter < r.sidewaysBefore && r.scoreAfter > r.scoreBefore).length, turnRows.length)}`);
  lines.push('  which way is up, by rule:');
  lines.push(rule('less sideways', (c) => (c[0].sideways <= c[1].sideways ? c[0].q : c[1].q)));
  lines.push(rule('higher score', (c) => (c[0].overall >= c[1].overall ? c[0].q : c[1].q)));
  lines.push(rule('sideways − score/100', (c) => (c[0].sideways - c[0].overall / 100 <= c[1].sideways - c[1].overall / 100 ? c[0].q : c[1].q)));
  if (turnRows.every((r) => r.candidates.every((c) => c.upsideDown !== undefined)))
    lines.push(rule('less upside down (the model’s own output)', (c) => (c[0].upsideDown! <= c[1].upsideDown! ? c[0].q : c[1].q)));
  console.log(lines.join('\n'));
  if (flags.json) writeFileSync(String(flags.json), JSON.stringify({ split, options, fixRows, offered, sidewaysRows, turnRows }, null, 1));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
