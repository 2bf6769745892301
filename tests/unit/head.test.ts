import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ASPECTS, LABELLED_ASPECTS } from '../../src/core/aspects';
import { DEFAULT_ASPECT_FIT } from '../../tools/model/aspect-head';
import type { Label } from '../../tools/model/labels';
import { predictRows, toLayersModel, trainHead, DEFAULT_HEAD } from '../../tools/model/experiments/mlp-head';
import type { FeatureRow } from '../../tools/model/features-file';
import { spearman } from '../../tools/model/metrics';
import { rng } from '../../tools/model/rng';
import { runTool } from './helpers/experiment-data';

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
    expect(
      spearman(
        rated.map(([, p]) => p[0]),
        rated.map(([r]) => r.mos!),
      ),
    ).toBeGreaterThan(0.9);
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

function fakeLabel(r: FeatureRow): Label {
  const sev = Object.fromEntries(LABELLED_ASPECTS.map((a) => [a, 0])) as Label['sev'];
  sev.blur = Math.min(1, Math.max(0, (r.f[2] - 3) / 20 + 0.5));
  return { image: r.image, split: 'train', sev, main: 'none', why: {}, overall: 3, overallWhy: '', other: r.f[3] > 8 ? 'turned sideways' : '', run: 't', line: 1 };
}

describe('linear head', () => {
  it('fits quality and aspects in closed form; the folded layers model gives the same outputs', async () => {
    const { fitLinearHead, linearLayersModel, predictLinear } = await import('../../tools/model/linear-head');
    await tf.setBackend('cpu');
    const train = rows(240, 3);
    const test = rows(60, 4);
    // labels for every other photo: blur severity follows feature 2, the rest 0; sideways follows feature 3
    const labels = new Map(train.filter((r, i) => !r.aspect && i % 2 === 0).map((r) => [r.image, fakeLabel(r)]));
    const head = fitLinearHead(train, { lambda: 1, pooledShare: 0.8 }, { labels, fit: { ...DEFAULT_ASPECT_FIT, lambda: 1 } });
    const pred = predictLinear(head, test);
    const rated = test.map((r, i) => [r, pred[i]] as const).filter(([r]) => r.mos !== null);
    expect(
      spearman(
        rated.map(([, p]) => p[0]),
        rated.map(([r]) => r.mos!),
      ),
    ).toBeGreaterThan(0.95);
    const blur = 1 + ASPECTS.indexOf('blur');
    const blurred = test.map((r, i) => [r, pred[i]] as const).filter(([r]) => r.aspect === 'blur');
    // the synthetic copies push blur up; on untouched photos it follows the labels
    expect(blurred.reduce((s, [, p]) => s + p[blur], 0) / blurred.length).toBeGreaterThan(rated.reduce((s, [, p]) => s + p[blur], 0) / rated.length + 0.1);
    const clean = test.map((r, i) => [r, pred[i]] as const).filter(([r]) => !r.aspect);
    expect(
      spearman(
        clean.map(([, p]) => p[blur]),
        clean.map(([r]) => fakeLabel(r).sev.blur),
      ),
    ).toBeGreaterThan(0.6);
    const model = linearLayersModel(head);
    const folded = tf.tidy(() => (model.predict(tf.tensor2d(test.map((r) => r.f))) as tf.Tensor2D).arraySync());
    folded.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(pred[i][j], 4)));
    model.dispose();
  });
});

describe('the MLP head experiment (tools/model/experiments/mlp-head.ts)', () => {
  const MLP = 'tools/model/experiments/mlp-head.ts';

  it('answers --help', async () => {
    const { code, stdout } = await runTool(MLP, ['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/--configs/);
  });

  it('cross-validates an MLP config beside the shipped ridge head on cached feature rows', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'mlp-head-'));
    try {
      mkdirSync(join(cache, 'features'));
      writeFileSync(
        join(cache, 'features', 'part-0-of-1.jsonl'),
        `${rows(40, 5)
          .map((r) => JSON.stringify(r))
          .join('\n')}\n`,
      );
      const config = { hidden: 4, epochs: 2, batch: 32 };
      const { code, stdout, stderr } = await runTool(MLP, ['--cache', cache, '--folds', '2', '--configs', JSON.stringify([config])]);
      expect(code, stderr).toBe(0);
      const lines = stdout.trim().split('\n');
      expect(lines[0]).toBe('40 rated train rows, 14 damaged, 2 folds');
      expect(lines[1]).toMatch(/^shipped ridge \{.*\} pooled -?\d\.\d{3} {2}ss01 -?\d\.\d{3} {2}ss02 -?\d\.\d{3}$/);
      expect(lines[2]).toMatch(/ pooled -?\d\.\d{3} {2}ss01 -?\d\.\d{3} {2}ss02 -?\d\.\d{3}$/);
      expect(lines[2].startsWith(`${JSON.stringify(config)} pooled `)).toBe(true);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
