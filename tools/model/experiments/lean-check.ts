import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { join } from 'node:path';
import { type Line, lineLeans, linePixels, type LineOptions, straightLines } from './line-leans';
import { leans, straightenPixels, type LeanOptions } from '../../../src/core/fix/straighten';
import type { Pixels } from '../../../src/core/image/views';
import { parseArgs, progress } from '../../lib/cli';
import { BIQ_DIR, readSplit, storedTurned } from '../dataset';
import { decodeNode } from '../decode-node';
import { trainLabelsOrExit } from '../labels';
import { useNodeBackend } from '../node-backend';
import { shuffled } from '../rng';

// How well the straighten's lean estimate finds a known tilt on real photos. The labelled train
// photos only tell that a photo is tilted, not by how much, so the check turns photos the labels
// call level by known angles (the straighten's own turn and upright crop: what a tilted shot
// looks like) and measures each again.

const HELP = `npm run lean-check -- [--limit 200] [--angles=-8,-5,-3,-1.5,1.5,3,5,8] [--level 0.15] [--candidates 3]
       [--lean '{"block":12,"minCoherence":0}' | --reader lines [--lines '{"minLine":0.08,"rhoBin":1}'] [--sheet DIR]]

Train photos only: the first --limit (after a seeded shuffle) of those whose label gives tilt
below --level. Each is turned by every angle; per angle, the share whose strongest lean is within
1° of the turn, the median error, and the share where one of the
--candidates strongest leans is (the straighten lets the model choose among those). --lean reads
the lines another way (straighten.ts LeanOptions; the default is what ships); --reader lines reads
the long straight lines instead (line-leans.ts, a Hough transform of the edge pixels; --lines sets
its LineOptions). "Consistent" counts the turned photos whose strongest lean is the turn plus
the lean read on the photo untouched: the reading follows the turn even where the photo's own
strongest line is not level. --sheet DIR draws the long lines found on each photo untouched
(red: those at its strongest lean; yellow: the rest), to see what they are.`;

/** The photo with its long lines drawn on it, as a PNG: red at the strongest lean, yellow the rest. */
export function lineSheet(px: Pixels, lines: readonly Line[], strongest: number | null): Buffer {
  const png = new PNG({ width: px.width, height: px.height });
  for (let i = 0, p = 0; i < px.width * px.height; i++, p += px.channels) {
    for (let c = 0; c < 3; c++) png.data[i * 4 + c] = px.data[p + c];
    png.data[i * 4 + 3] = 255;
  }
  for (const line of lines) {
    // a lean is counter-clockwise positive; a line's deg is in image coordinates, the other way
    const colour = strongest !== null && Math.abs(-line.deg - strongest) <= 0.5 ? [255, 0, 0] : [255, 220, 0];
    for (const [x, y] of linePixels(line, px.width, px.height)) colour.forEach((v, c) => (png.data[(y * px.width + x) * 4 + c] = v));
  }
  return PNG.sync.write(png);
}

/** Reads a photo's `n` strongest leans, strongest first. */
export type LeanReader = (px: Pixels, n: number) => { degrees: number; share: number }[];

export interface LeanTrial {
  angle: number;
  /** The strongest lean read on the turned photo, minus the turn. */
  error: number;
  /** The smallest such error among the candidate leans. */
  bestError: number;
  /** The strongest lean's share of the line weight (what the coach's own plan trusts, MIN_LINE_SHARE). */
  share: number;
  /** `error` less the lean read on the photo untouched: 0 where the reading follows the turn. null: either read nothing. */
  drift: number | null;
}

/**
 * The photo turned by each angle and its leans read again. A photo the labels call level has
 * level lines, so what is read should be the turn itself; the lean read on the photo as it is
 * (`own`, which should be near 0; null where nothing is read) says how often the reading is off
 * with no turn at all.
 */
export function leanTrials(px: Pixels, angles: readonly number[], candidates = 3, readLeans: LeanReader = (p, n) => leans(p, n)): { own: number | null; trials: LeanTrial[] } {
  const own = readLeans(px, 1)[0]?.degrees ?? null;
  const trials = angles.map((angle) => {
    const read = readLeans(straightenPixels(px, angle), candidates);
    const found = read.map((l) => l.degrees - angle);
    const error = found.length ? found[0] : Number.POSITIVE_INFINITY;
    const bestError = found.length ? found.reduce((a, b) => (Math.abs(b) < Math.abs(a) ? b : a)) : Number.POSITIVE_INFINITY;
    const drift = found.length && own !== null ? error - own : null;
    return { angle, error, bestError, share: read[0]?.share ?? 0, drift };
  });
  return { own, trials };
}

async function main() {
  const { flags } = parseArgs(process.argv.slice(2), ['help']);
  if (flags.help) return console.log(HELP);
  const limit = Number(flags.limit ?? 200);
  const level = Number(flags.level ?? 0.15);
  const candidates = Number(flags.candidates ?? 3);
  const opts: LeanOptions = flags.lean ? JSON.parse(String(flags.lean)) : {};
  const lines = flags.reader === 'lines';
  if (flags.reader !== undefined && !lines) throw new Error(`--reader: only "lines" (the long straight lines) is known, not ${JSON.stringify(flags.reader)}`);
  const lineOpts: LineOptions = flags.lines ? JSON.parse(String(flags.lines)) : {};
  const readLeans: LeanReader = lines ? (p, n) => lineLeans(p, n, lineOpts) : (p, n) => leans(p, n, opts);
  const sheet = flags.sheet ? String(flags.sheet) : null;
  if (sheet && !lines) throw new Error('--sheet draws the long lines: it needs --reader lines');
  if (sheet) mkdirSync(sheet, { recursive: true });
  const angles = String(flags.angles ?? '-8,-5,-3,-1.5,1.5,3,5,8')
    .split(',')
    .map(Number);
  await useNodeBackend('cpu');
  const rows = readSplit('train');
  const labels = trainLabelsOrExit(rows.map((r) => ({ image: r.image, split: 'train' })));
  const picked = shuffled(
    rows.filter((r) => (labels.get(r.image)?.sev.tilt ?? 1) < level),
    20261203,
  ).slice(0, limit);
  const trials: LeanTrial[] = [];
  const owns: (number | null)[] = [];
  const bar = progress('photos', picked.length);
  for (const [i, row] of picked.entries()) {
    const { rgb } = await decodeNode(readFileSync(join(BIQ_DIR, 'images', row.image)), { asStored: storedTurned(row.image) });
    const [height, width] = rgb.shape;
    const data = await rgb.data();
    rgb.dispose();
    const px: Pixels = { data, width, height, channels: 3 };
    const read = leanTrials(px, angles, candidates, readLeans);
    owns.push(read.own);
    if (sheet) writeFileSync(join(sheet, `${row.image.replace(/\W+/g, '_')}.png`), lineSheet(px, straightLines(px, lineOpts), read.own));
    trials.push(...read.trials);
    bar.tick(i + 1);
  }
  bar.done();
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  };
  // the median error of the photos a lean was read on
  const medianRead = (t: LeanTrial[]) => {
    const read = t.filter((x) => Number.isFinite(x.error));
    return read.length ? `${median(read.map((x) => Math.abs(x.error))).toFixed(2)}°` : '—';
  };
  const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)} % (${n}/${of})`;
  console.log(
    `\n${picked.length} train photos labelled level (tilt < ${level}), each turned by ${angles.join(', ')}°; lines read with ${lines ? `the long straight lines (line-leans.ts, ${JSON.stringify(lineOpts)})` : JSON.stringify(opts)}\n`,
  );
  const ownRead = owns.filter((x): x is number => x !== null);
  console.log(
    `untouched: a lean read on ${pct(ownRead.length, owns.length)}; strongest lean within 1° of level ${pct(ownRead.filter((x) => Math.abs(x) <= 1).length, owns.length)}, median ${ownRead.length ? median(ownRead.map(Math.abs)).toFixed(2) : '—'}°`,
  );
  const drifts = trials.filter((x) => x.drift !== null);
  console.log(
    `consistent (the turn plus the untouched lean, within 1°): ${drifts.length ? pct(drifts.filter((x) => Math.abs(x.drift ?? 0) <= 1).length, drifts.length) : '—'} of the turned photos read where the untouched one was\n`,
  );
  console.log(`| turn | strongest lean within 1° | median error where read | one of ${candidates} within 1° |`);
  console.log('|---:|---:|---:|---:|');
  for (const a of [...angles, NaN]) {
    const t = Number.isNaN(a) ? trials : trials.filter((x) => x.angle === a);
    const within = t.filter((x) => Math.abs(x.error) <= 1).length;
    const best = t.filter((x) => Math.abs(x.bestError) <= 1).length;
    console.log(`| ${Number.isNaN(a) ? 'all' : `${a}°`} | ${pct(within, t.length)} | ${medianRead(t)} | ${pct(best, t.length)} |`);
  }
  // a reading trusted only where its lean carries enough of the line weight: how many are, and how many of those are right
  console.log(`\n| strongest lean's share at least | turned photos read | of them within 1° |`);
  console.log('|---:|---:|---:|');
  for (const min of [0, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7]) {
    const t = trials.filter((x) => Number.isFinite(x.error) && x.share >= min);
    console.log(`| ${min} | ${pct(t.length, trials.length)} | ${t.length ? pct(t.filter((x) => Math.abs(x.error) <= 1).length, t.length) : '—'} |`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
