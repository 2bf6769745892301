import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ASPECTS, LABELLED_ASPECTS } from '../../src/core/aspects';
import { DEFAULT_ASPECT_FIT } from '../../tools/model/aspect-head';
import type { Pixels } from '../../src/core/image/views';
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

describe('the upside-down output', () => {
  it('is one more column, fitted on half-turned copies beside their photos, leaving the others as they were', async () => {
    const { cvUpsideDown, fitLinearHead, predictLinear } = await import('../../tools/model/linear-head');
    const train = rows(240, 5);
    const test = rows(60, 6);
    // a half turn moves feature 4 (as a real one changes where light falls)
    const halfTurned = (rs: FeatureRow[]) =>
      rs.filter((r, i) => !r.aspect && i % 2 === 0).map((r): FeatureRow => ({ ...r, key: `${r.key}|upside-down`, mos: null, turn: 2, f: r.f.map((v, j) => (j === 4 ? v + 8 : v)) }));
    const labels = new Map(train.filter((r, i) => !r.aspect && i % 2 === 0).map((r) => [r.image, fakeLabel(r)]));
    const supervision = { labels, fit: { ...DEFAULT_ASPECT_FIT, lambda: 1 } };
    const plain = fitLinearHead(train, { lambda: 1, pooledShare: 0.8 }, supervision);
    const head = fitLinearHead(train, { lambda: 1, pooledShare: 0.8 }, supervision, halfTurned(train));
    expect(plain.extra).toEqual(['rating']);
    expect(head.extra).toEqual(['upside_down', 'rating']);
    const k = 1 + ASPECTS.length;
    // the upside-down column sits between the aspects and the rating; every other column is as it was
    expect([...head.weights.slice(0, k), ...head.weights.slice(k + 1)]).toEqual(plain.weights);
    const turned = halfTurned(test);
    const up = predictLinear(
      head,
      turned.map((t) => test.find((r) => r.image === t.image && !r.aspect)!),
    );
    const down = predictLinear(head, turned);
    expect(turned.every((_, i) => down[i][k] > up[i][k])).toBe(true);
    expect(cvUpsideDown(train, halfTurned(train), 4)).toEqual({ pairs: halfTurned(train).length, accuracy: 1 });
    // a copy whose photo has no upright row is an error, not a silent skip
    expect(() => fitLinearHead(train, { lambda: 1, pooledShare: 0.8 }, supervision, [{ ...turned[0], image: 'missing.jpg' }])).toThrow(/has no upright row/);
  });

  it("is followed by the rating column, fitted to the labels' overall of labelled untouched photos", async () => {
    const { extraColumn, fitLinearHead, predictLinear } = await import('../../tools/model/linear-head');
    const train = rows(240, 7);
    const test = rows(60, 8).filter((r) => !r.aspect);
    // the labels' overall follows feature 1 (1–5); the rows' MOS does not come into it
    const overallOf = (r: FeatureRow) => Math.min(5, Math.max(1, 3 + r.f[1] / 4));
    const labels = new Map(train.filter((r) => !r.aspect).map((r) => [r.image, { ...fakeLabel(r), overall: overallOf(r) }]));
    const head = fitLinearHead(train, { lambda: 1, pooledShare: 0.8 }, { labels, fit: { ...DEFAULT_ASPECT_FIT, lambda: 1 } });
    const k = extraColumn(head, 'rating');
    expect(k).toBe(1 + ASPECTS.length); // no half-turned copies: the rating is the only extra
    const pred = predictLinear(head, test);
    expect(
      spearman(
        pred.map((p) => p[k]),
        test.map(overallOf),
      ),
    ).toBeGreaterThan(0.6);
  });

  it('reaches the score as upsideDown and rating when the card names them, and the turn follows upsideDown', async () => {
    const { toScore } = await import('../../src/core/model/calibration');
    const { uprightTurn } = await import('../../src/core/fix/preview');
    const card = {
      version: 't',
      aspects: [...ASPECTS],
      bands: { great: 70, ok: 40 },
      calibration: { lo: 0, hi: 1 },
      backbone: { path: 'b', input: [320, 320] as [number, number], outputs: [] },
      head: { path: 'h', features: 6 },
    };
    const raw = [0.5, ...ASPECTS.map(() => 0.1), 1.7];
    expect(toScore(raw.slice(0, -1), card, 10, 10).upsideDown).toBeUndefined();
    expect(toScore(raw, { ...card, head: { ...card.head, extra: ['upside_down'] } }, 10, 10).upsideDown).toBe(1);
    // the rating is held to 1–5, and found by its name, not its place
    const both = toScore([...raw, 4.257], { ...card, head: { ...card.head, extra: ['upside_down', 'rating'] } }, 10, 10);
    expect(both).toMatchObject({ upsideDown: 1, rating: 4.26 });
    expect(toScore([0.5, ...ASPECTS.map(() => 0.1), 7, 0.2], { ...card, head: { ...card.head, extra: ['rating', 'upside_down'] } }, 10, 10)).toMatchObject({ rating: 5, upsideDown: 0.2 });
    expect(toScore(raw.slice(0, -1), card, 10, 10).rating).toBeUndefined();
    // the turn whose result the model finds less upside down wins, even when it scores lower;
    // the photo's top-left pixel is marked, so each call knows which turn it was given
    const px = { data: new Uint8Array(4 * 2 * 3), width: 4, height: 2, channels: 3 as const };
    px.data[0] = 255;
    const withExtra = { ...card, head: { ...card.head, extra: ['upside_down' as const] } };
    for (const upright of [1, 3] as const) {
      const score = async (p: Pixels) => {
        // a clockwise turn puts the top-left pixel top-right, an anticlockwise one bottom-left
        const turn = p.data[(p.width - 1) * p.channels] === 255 ? 1 : 3;
        const good = turn === upright;
        return toScore([good ? 0.2 : 0.9, ...ASPECTS.map(() => 0.1), good ? 0.05 : 0.95], withExtra, p.width, p.height);
      };
      expect(await uprightTurn(score, px, { width: 4, height: 2 })).toBe(upright);
    }
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
