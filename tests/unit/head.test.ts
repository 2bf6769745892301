import * as tf from '@tensorflow/tfjs';
import { ASPECTS } from '../../src/core/aspects';
import { predictRows, toLayersModel, trainHead, DEFAULT_HEAD } from '../../tools/model/head';
import type { FeatureRow } from '../../tools/model/features-file';
import { spearman } from '../../tools/model/metrics';
import { rng } from '../../tools/model/rng';

// Tiny synthetic feature rows: quality depends on feature 0, "blur" copies shift feature 1.
function rows(n: number, seed: number): FeatureRow[] {
  const r = rng(seed);
  const out: FeatureRow[] = [];
  for (let i = 0; i < n; i++) {
    const f = Array.from({ length: 6 }, () => r() * 2 - 1);
    const mos = 0.5 + 0.3 * f[0] + 0.02 * (r() - 0.5);
    const base = { split: 'train' as const, image: `p${i}.jpg`, subset: i % 2 ? 'ss01' : 'ss02', seed: 0, key: `k${i}` };
    out.push({ ...base, mos, aspect: null, strength: 0, f: f.map((v) => v * 10 + 3) });
    if (i % 3 === 0) out.push({ ...base, key: `k${i}b`, mos: null, aspect: 'blur', strength: 1, f: f.map((v, j) => (j === 1 ? v + 4 : v) * 10 + 3) });
  }
  return out;
}

describe('head', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('learns quality and an aspect from feature rows, and the folded layers model gives the same outputs', () => {
    const train = rows(150, 1);
    const test = rows(60, 2);
    const { params, standardizer } = trainHead(train, { ...DEFAULT_HEAD, hidden: 8, epochs: 30, batch: 64, lr: 1e-2 });
    const pred = predictRows(params, standardizer, test);
    const rated = test.map((r, i) => [r, pred[i]] as const).filter(([r]) => r.mos !== null);
    expect(spearman(rated.map(([, p]) => p[0]), rated.map(([r]) => r.mos!))).toBeGreaterThan(0.9);
    const blur = 1 + ASPECTS.indexOf('blur');
    const blurred = test.map((r, i) => [r, pred[i]] as const).filter(([r]) => r.aspect === 'blur');
    const meanBlurred = blurred.reduce((s, [, p]) => s + p[blur], 0) / blurred.length;
    const meanClean = rated.reduce((s, [, p]) => s + p[blur], 0) / rated.length;
    expect(meanBlurred).toBeGreaterThan(meanClean + 0.3);

    const model = toLayersModel(params, standardizer);
    const x = tf.tensor2d(test.map((r) => r.f));
    const folded = (model.predict(x) as tf.Tensor2D).arraySync();
    folded.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(pred[i][j], 4)));
    x.dispose();
    model.dispose();
    Object.values(params).forEach((v) => v.dispose());
  });
});

describe('linear head', () => {
  it('fits quality and aspects in closed form; the folded layers model gives the same outputs', async () => {
    const { fitLinearHead, linearLayersModel, predictLinear } = await import('../../tools/model/linear-head');
    await tf.setBackend('cpu');
    const train = rows(240, 3);
    const test = rows(60, 4);
    const head = fitLinearHead(train, { lambda: 1, pooledShare: 0.8, aspectLambda: 1, positiveWeight: 4 });
    const pred = predictLinear(head, test);
    const rated = test.map((r, i) => [r, pred[i]] as const).filter(([r]) => r.mos !== null);
    expect(spearman(rated.map(([, p]) => p[0]), rated.map(([r]) => r.mos!))).toBeGreaterThan(0.95);
    const blur = 1 + ASPECTS.indexOf('blur');
    const blurred = test.map((r, i) => [r, pred[i]] as const).filter(([r]) => r.aspect === 'blur');
    expect(Math.min(...blurred.map(([, p]) => p[blur]))).toBeGreaterThan(Math.max(...rated.map(([, p]) => p[blur])));
    const model = linearLayersModel(head);
    const folded = tf.tidy(() => (model.predict(tf.tensor2d(test.map((r) => r.f))) as tf.Tensor2D).arraySync());
    folded.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(pred[i][j], 4)));
    model.dispose();
  });
});
