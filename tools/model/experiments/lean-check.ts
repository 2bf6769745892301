import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
       [--lean '{"block":12,"minCoherence":0}']

Train photos only: the first --limit (after a seeded shuffle) of those whose label gives tilt
below --level. Each is turned by every angle; per angle, the share whose strongest lean is within
1° of the turn, the median error, and the share where one of the
--candidates strongest leans is (the straighten lets the model choose among those). --lean reads
the lines another way (straighten.ts LeanOptions; the default is what ships).`;

export interface LeanTrial {
  angle: number;
  /** The strongest lean read on the turned photo, minus the turn. */
  error: number;
  /** The smallest such error among the candidate leans. */
  bestError: number;
  /** The strongest lean's share of the line weight (what the coach's own plan trusts, MIN_LINE_SHARE). */
  share: number;
}

/**
 * The photo turned by each angle and its leans read again. A photo the labels call level has
 * level lines, so what is read should be the turn itself; the lean read on the photo as it is
 * (`own`, which should be near 0) says how often the reading is off with no turn at all.
 */
export function leanTrials(px: Pixels, angles: readonly number[], candidates = 3, opts: LeanOptions = {}): { own: number; trials: LeanTrial[] } {
  const own = leans(px, 1, opts)[0]?.degrees ?? 0;
  const trials = angles.map((angle) => {
    const read = leans(straightenPixels(px, angle), candidates, opts);
    const found = read.map((l) => l.degrees - angle);
    const error = found.length ? found[0] : Number.POSITIVE_INFINITY;
    const bestError = found.length ? found.reduce((a, b) => (Math.abs(b) < Math.abs(a) ? b : a)) : Number.POSITIVE_INFINITY;
    return { angle, error, bestError, share: read[0]?.share ?? 0 };
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
  const owns: number[] = [];
  const bar = progress('photos', picked.length);
  for (const [i, row] of picked.entries()) {
    const { rgb } = await decodeNode(readFileSync(join(BIQ_DIR, 'images', row.image)), { asStored: storedTurned(row.image) });
    const [height, width] = rgb.shape;
    const data = await rgb.data();
    rgb.dispose();
    const read = leanTrials({ data, width, height, channels: 3 }, angles, candidates, opts);
    owns.push(read.own);
    trials.push(...read.trials);
    bar.tick(i + 1);
  }
  bar.done();
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  };
  const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)} % (${n}/${of})`;
  console.log(`\n${picked.length} train photos labelled level (tilt < ${level}), each turned by ${angles.join(', ')}°; lines read with ${JSON.stringify(opts)}\n`);
  console.log(`untouched: strongest lean within 1° of level ${pct(owns.filter((x) => Math.abs(x) <= 1).length, owns.length)}, median ${median(owns.map(Math.abs)).toFixed(2)}°\n`);
  console.log(`| turn | strongest lean within 1° | median error | one of ${candidates} within 1° |`);
  console.log('|---:|---:|---:|---:|');
  for (const a of [...angles, NaN]) {
    const t = Number.isNaN(a) ? trials : trials.filter((x) => x.angle === a);
    const within = t.filter((x) => Math.abs(x.error) <= 1).length;
    const best = t.filter((x) => Math.abs(x.bestError) <= 1).length;
    console.log(`| ${Number.isNaN(a) ? 'all' : `${a}°`} | ${pct(within, t.length)} | ${median(t.map((x) => Math.abs(x.error))).toFixed(2)}° | ${pct(best, t.length)} |`);
  }
  // a reading trusted only where its lean carries enough of the line weight: how many are, and how many of those are right
  console.log(`\n| strongest lean's share at least | turned photos read | of them within 1° |`);
  console.log('|---:|---:|---:|');
  for (const min of [0, 0.1, 0.15, 0.2, 0.3]) {
    const t = trials.filter((x) => x.share >= min);
    console.log(`| ${min} | ${pct(t.length, trials.length)} | ${t.length ? pct(t.filter((x) => Math.abs(x.error) <= 1).length, t.length) : '—'} |`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
