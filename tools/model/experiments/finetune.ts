import * as tf from '@tensorflow/tfjs';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { globalView, GLOBAL_SIDE, toWork } from '../../../src/core/image/views';
import { readSplit } from '../dataset';
import { loadImage } from '../extract';
import { loadPrunedBackbone, prunedGraphModel } from '../backbone-source';
import { useNodeBackend } from '../node-backend';
import { flagNumber, parseArgs, progress } from '../../lib/cli';
import { readFeatureRows, type FeatureRow } from '../features-file';
import { fitStandardizer, standardized } from '../standardize';
import { choleskySolve } from '../ridge';
import { qualitySystem, srccBySubset } from '../cv';
import { hash32, shuffled } from '../rng';
import { registerFastMatMulGradient } from '../fast-grad';
import { DEFAULT_LINEAR } from '../linear-head';
import { BACKBONE_LEVELS } from '../../../src/core/model/features';

// Activations of the last backbone blocks' inputs, cached for train.csv photos (never val), so
// that those blocks can be fitted to the ratings without running the whole backbone each step.

export const TAPS = ['tower_0/MobilenetV3/expanded_conv_13/add', 'tower_0/MobilenetV3/expanded_conv_14/add'];
/** 10×10×120 at 320² input. */
export const TAP_SIZE = 10 * 10 * 120;

const HELP = `npm run finetune -- --extract [--part i --parts n]
npm run finetune -- --cv [--folds 4] [--rounds 6] [--lr 1e-4] [--decay 0] [--batch 128]

--extract caches ${TAPS.join(' and ')} (float32, ${TAP_SIZE} values each) for every
train.csv photo in .cache/finetune/ (resumable; split over processes with --part/--parts; about
14 min on 2 cores with two parts).
--cv fits extern1 (the last 1×1 convolution, 120 → 480) to the ratings by K-fold CV on train
photos: per fold, alternately the ridge quality head in closed form (as shipped) and one epoch of
Adam on extern1 with that head fixed (within-subset squared error, plus decay × mean (W − W0)²);
prints held-out SRCC after each round (round 0: the published weights). Train rows only.`;

/** One process's share of the cache: raw float32 rows and, line by line, the photo of each. */
export function partFiles(dir: string, part: number, parts: number) {
  const base = join(dir, `part-${part}-of-${parts}`);
  return { keys: `${base}.keys`, data: `${base}.f32` };
}

/** The photos already cached in a part; rows written without their key (a run cut short) are cut off. */
export function resumePart(files: { keys: string; data: string }): string[] {
  const done = existsSync(files.keys) ? readFileSync(files.keys, 'utf8').split('\n').filter(Boolean) : [];
  const rowBytes = TAPS.length * TAP_SIZE * 4;
  if (existsSync(files.data) && statSync(files.data).size !== done.length * rowBytes) truncateSync(files.data, done.length * rowBytes);
  return done;
}

/** Appends one photo's activations (all TAPS, in order): data first, so a key always has its row. */
export function appendRow(files: { keys: string; data: string }, image: string, row: Float32Array): void {
  appendFileSync(files.data, new Uint8Array(row.buffer, row.byteOffset, row.byteLength));
  appendFileSync(files.keys, `${image}\n`);
}

async function extract(cacheDir: string, part: number, parts: number): Promise<void> {
  const dir = join(cacheDir, 'finetune');
  mkdirSync(dir, { recursive: true });
  const files = partFiles(dir, part, parts);
  const doneSet = new Set(resumePart(files));
  const todo = readSplit('train')
    .filter((_, i) => i % parts === part)
    .filter((r) => !doneSet.has(r.image));
  const model = await prunedGraphModel(cacheDir, TAPS, GLOBAL_SIDE);
  const bar = progress(`finetune activations part ${part}/${parts}`, todo.length);
  for (const [i, r] of todo.entries()) {
    const img = await loadImage(r.image);
    const [height, width] = img.shape;
    const px = { data: await img.data(), width, height, channels: 3 as const };
    img.dispose();
    const view = globalView(toWork(px), GLOBAL_SIDE);
    const outs = tf.tidy(() => model.execute(tf.tensor4d(view.data, [1, GLOBAL_SIDE, GLOBAL_SIDE, 3]), TAPS) as tf.Tensor[]);
    const row = new Float32Array(TAPS.length * TAP_SIZE);
    for (const [j, t] of outs.entries()) row.set((await t.data()) as Float32Array, j * TAP_SIZE);
    tf.dispose(outs);
    appendRow(files, r.image, row);
    bar.tick(i + 1);
  }
  bar.done();
  model.dispose();
}

/** Every cached photo's activations of tap `tap` (index into TAPS), by image name. */
export function readTaps(cacheDir: string, tap: number): Map<string, Float32Array> {
  const dir = join(cacheDir, 'finetune');
  const out = new Map<string, Float32Array>();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.keys'))) {
    const keys = readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean);
    const buf = readFileSync(join(dir, f.replace(/\.keys$/, '.f32')));
    const all = new Float32Array(buf.buffer, buf.byteOffset, Math.floor(buf.byteLength / 4));
    keys.forEach((k, i) => {
      const o = (i * TAPS.length + tap) * TAP_SIZE;
      if (o + TAP_SIZE <= all.length) out.set(k, all.slice(o, o + TAP_SIZE));
    });
  }
  return out;
}

const EXTERN1 = 'tower_0/extern1';
/** Where extern1's mean and std sit in a feature row: after the shallower levels' mean and std. */
const SPAN_START = BACKBONE_LEVELS.slice(0, -1).reduce((n, l) => n + 2 * l.channels, 0);
const SPAN = 2 * BACKBONE_LEVELS[BACKBONE_LEVELS.length - 1].channels;

export interface Extern1 {
  W: Float32Array; // [120, 480]
  b: Float32Array; // [480]
  scale: number; // hard swish: (scale·x)·relu6(x + shift)
  shift: number;
}

function extern1Weights(cacheDir: string): Extern1 {
  const { weights } = loadPrunedBackbone(cacheDir, [`${EXTERN1}/hard_swish/mul_1`], GLOBAL_SIDE);
  const get = (name: string) => weights.find((w) => w.name === name)!.tensor.dataSync() as Float32Array;
  const out = {
    W: get(`${EXTERN1}/Conv2D_weights`).slice(),
    b: get(`${EXTERN1}/Conv2D_bn_offset`).slice(),
    scale: get(`${EXTERN1}/hard_swish/mul_1/y`)[0],
    shift: get(`${EXTERN1}/hard_swish/add/y`)[0],
  };
  weights.forEach((w) => w.tensor.dispose());
  return out;
}

/** extern1 on cached expanded_conv_14/add activations [n, 100·120] → mean and std per channel [n, 960]. */
export function pooled(taps: tf.Tensor2D, W: tf.Tensor2D, b: tf.Tensor1D, e: Extern1): tf.Tensor2D {
  const n = taps.shape[0];
  const x = tf.add(tf.matMul(taps.reshape([n * 100, 120]), W), b);
  const h = tf.mul(tf.mul(x, e.scale), tf.relu6(tf.add(x, e.shift))).reshape([n, 100, 480]);
  const { mean, variance } = tf.moments(h, 1);
  return tf.concat([mean, tf.sqrt(tf.add(variance, 1e-6))], 1) as tf.Tensor2D;
}

function pooledAll(taps: Float32Array, n: number, W: tf.Tensor2D, b: tf.Tensor1D, e: Extern1): Float32Array {
  const out = new Float32Array(n * SPAN);
  for (let i = 0; i < n; i += 256) {
    const m = Math.min(256, n - i);
    const t = tf.tidy(() => pooled(tf.tensor2d(taps.subarray(i * TAP_SIZE, (i + m) * TAP_SIZE), [m, TAP_SIZE]), W, b, e));
    out.set(t.dataSync() as Float32Array, i * SPAN);
    t.dispose();
  }
  return out;
}

/** The quality ridge (closed form, as shipped) on standardized rows X of `fit`. */
function ridge(X: Float32Array, F: number, fit: FeatureRow[]) {
  const { A, rhs, b } = qualitySystem(X, F, fit, DEFAULT_LINEAR.pooledShare);
  for (let i = 0; i < F; i++) A[i * F + i] += DEFAULT_LINEAR.lambda;
  return { w: choleskySolve(A, rhs, F), b };
}

interface TuneConfig {
  rounds: number;
  lr: number;
  decay: number; // weight of ‖W − W0‖² (per element mean)
  batch: number;
}

/**
 * K-fold CV of fitting extern1 to the ratings: per fold, alternately the ridge head in closed
 * form on the current features and one epoch of Adam on extern1's weights with that head fixed;
 * after each round, held-out SRCC of a ridge refitted on the fit rows. Only extern1's mean and
 * std columns change; the saliency summary (also read from extern1) keeps its cached values.
 */
async function cv(cacheDir: string, folds: number, cfg: TuneConfig): Promise<void> {
  registerFastMatMulGradient();
  const e = extern1Weights(cacheDir);
  const taps = readTaps(cacheDir, 1);
  const rows = readFeatureRows(join(cacheDir, 'features')).filter((r) => r.split === 'train' && r.mos !== null && !r.aspect && taps.has(r.image));
  console.log(`${rows.length} rated train photos with cached activations, ${folds} folds, ${JSON.stringify(cfg)}`);
  const allTaps = new Float32Array(rows.length * TAP_SIZE);
  rows.forEach((r, i) => allTaps.set(taps.get(r.image)!, i * TAP_SIZE));
  taps.clear();
  const W0 = tf.tensor2d(e.W, [120, 480]);
  const b0 = tf.tensor1d(e.b);
  // the cached rows were made with the same weights: check that this reproduces them
  const nCheck = Math.min(8, rows.length);
  const check = pooledAll(allTaps.subarray(0, nCheck * TAP_SIZE), nCheck, W0, b0, e);
  let worst = 0;
  for (let i = 0; i < nCheck; i++) for (let j = 0; j < SPAN; j++) worst = Math.max(worst, Math.abs(check[i * SPAN + j] - rows[i].f[SPAN_START + j]) / (1e-3 + Math.abs(rows[i].f[SPAN_START + j])));
  console.log(`reproduces the cached extern1 features to a relative ${worst.toExponential(2)}`);
  const sums: Record<string, number>[] = [];
  for (let k = 0; k < folds; k++) {
    const fitIdx = rows.map((_, i) => i).filter((i) => hash32(rows[i].image) % folds !== k);
    const heldIdx = rows.map((_, i) => i).filter((i) => hash32(rows[i].image) % folds === k);
    const fit = fitIdx.map((i) => rows[i]);
    const held = heldIdx.map((i) => rows[i]);
    const st = fitStandardizer(fit);
    const F = st.mean.length;
    const fitTaps = new Float32Array(fit.length * TAP_SIZE);
    fitIdx.forEach((i, j) => fitTaps.set(allTaps.subarray(i * TAP_SIZE, (i + 1) * TAP_SIZE), j * TAP_SIZE));
    const heldTaps = new Float32Array(held.length * TAP_SIZE);
    heldIdx.forEach((i, j) => heldTaps.set(allTaps.subarray(i * TAP_SIZE, (i + 1) * TAP_SIZE), j * TAP_SIZE));
    const W = tf.variable(W0.clone());
    const b = tf.variable(b0.clone());
    const opt = tf.train.adam(cfg.lr);
    const design = (set: FeatureRow[], feats: Float32Array) => {
      const X = standardized(set, st);
      set.forEach((_, i) => {
        for (let j = 0; j < SPAN; j++) X[i * F + SPAN_START + j] = (feats[i * SPAN + j] - st.mean[SPAN_START + j]) / st.std[SPAN_START + j];
      });
      for (let i = 0; i < X.length; i++) if (!Number.isFinite(X[i])) X[i] = 0;
      return X;
    };
    for (let round = 0; round <= cfg.rounds; round++) {
      const Xf = design(fit, pooledAll(fitTaps, fit.length, W, b, e));
      const head = ridge(Xf, F, fit);
      const Xh = design(held, pooledAll(heldTaps, held.length, W, b, e));
      const q = held.map((_, i) => {
        let v = head.b;
        for (let j = 0; j < F; j++) v += head.w[j] * Xh[i * F + j];
        return v;
      });
      const s = srccBySubset(held, q);
      sums[round] ??= {};
      for (const [key, v] of Object.entries(s)) sums[round][key] = (sums[round][key] ?? 0) + v / folds;
      console.log(
        `fold ${k} round ${round}: ${Object.entries(s)
          .map(([key, v]) => `${key} ${v.toFixed(3)}`)
          .join('  ')}`,
      );
      if (round === cfg.rounds) break;
      // the head's part from the other features, fixed for this epoch
      const base = fit.map((_, i) => {
        let v = head.b;
        for (let j = 0; j < F; j++) if (j < SPAN_START || j >= SPAN_START + SPAN) v += head.w[j] * Xf[i * F + j];
        return v;
      });
      const wz = new Float32Array(SPAN);
      const off = new Float32Array(SPAN);
      for (let j = 0; j < SPAN; j++) {
        const sd = st.std[SPAN_START + j];
        wz[j] = Number.isFinite(sd) ? head.w[SPAN_START + j] / sd : 0;
        off[j] = st.mean[SPAN_START + j];
      }
      const wzT = tf.tensor2d(wz, [SPAN, 1]);
      const offT = tf.tensor1d(off);
      const order = shuffled(
        fit.map((_, i) => i),
        1000 * k + round,
      );
      let total = 0;
      for (let s0 = 0; s0 < order.length; s0 += cfg.batch) {
        const idx = order.slice(s0, s0 + cfg.batch);
        const xb = new Float32Array(idx.length * TAP_SIZE);
        idx.forEach((i, j) => xb.set(fitTaps.subarray(i * TAP_SIZE, (i + 1) * TAP_SIZE), j * TAP_SIZE));
        const yb = tf.tensor2d(
          idx.map((i) => fit[i].mos! - base[i]),
          [idx.length, 1],
        );
        const xt = tf.tensor2d(xb, [idx.length, TAP_SIZE]);
        // within-subset error only: the subsets were rated on their own scales, and a pooled
        // error would teach extern1 to tell the subsets apart rather than good from bad
        const subsets = [...new Set(fit.map((r) => r.subset))].sort();
        const onehot = new Float32Array(idx.length * subsets.length);
        idx.forEach((i, j) => (onehot[j * subsets.length + subsets.indexOf(fit[i].subset)] = 1));
        const S = tf.tensor2d(onehot, [idx.length, subsets.length]);
        const counts = tf.maximum(tf.sum(S, 0), 1);
        const loss = opt.minimize(
          () => {
            const z = tf.matMul(tf.sub(pooled(xt, W as tf.Tensor2D, b as tf.Tensor1D, e), offT), wzT);
            const r = tf.sub(z, yb);
            const groupMean = tf.div(tf.matMul(tf.transpose(S), r), counts.reshape([-1, 1]));
            const fitLoss = tf.mean(tf.square(tf.sub(r, tf.matMul(S, groupMean))));
            return tf.add(fitLoss, tf.mul(cfg.decay, tf.mean(tf.square(tf.sub(W, W0))))) as tf.Scalar;
          },
          true,
          [W, b],
        );
        total += loss!.dataSync()[0] * idx.length;
        tf.dispose([loss!, yb, xt, S, counts]);
      }
      tf.dispose([wzT, offT]);
      console.log(`fold ${k} round ${round + 1}: train loss ${(total / order.length).toFixed(5)}, |W−W0| ${tf.tidy(() => tf.norm(tf.sub(W, W0)).dataSync()[0]).toFixed(3)}`);
    }
    tf.dispose([W, b]);
    opt.dispose();
  }
  console.log('| round | pooled | ss01 | ss02 | ss03 |\n|---:|---:|---:|---:|---:|');
  sums.forEach((s, r) => console.log(`| ${r} | ${['pooled', 'ss01', 'ss02', 'ss03'].map((key) => s[key]?.toFixed(3) ?? '–').join(' | ')} |`));
}

async function main() {
  const { flags } = parseArgs(process.argv.slice(2), ['help', 'extract', 'cv']);
  if (flags.help) return console.log(HELP);
  const cacheDir = resolve(String(flags.cache ?? '.cache'));
  await useNodeBackend('wasm');
  if (flags.extract) await extract(cacheDir, flagNumber(flags, 'part', 0), flagNumber(flags, 'parts', 1));
  if (flags.cv) {
    await cv(cacheDir, flagNumber(flags, 'folds', 4), {
      rounds: flagNumber(flags, 'rounds', 6),
      lr: flagNumber(flags, 'lr', 1e-4),
      decay: flagNumber(flags, 'decay', 0),
      batch: flagNumber(flags, 'batch', 128),
    });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
