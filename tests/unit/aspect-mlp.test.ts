import * as tf from '@tensorflow/tfjs';
import { ASPECTS, LABELLED_ASPECTS } from '../../src/core/aspects';
import { DEFAULT_ASPECT_FIT } from '../../tools/model/aspect-head';
import type { AspectMlpConfig } from '../../tools/model/aspect-mlp';
import type { FeatureRow } from '../../tools/model/features-file';
import type { Label } from '../../tools/model/labels';
import { auc } from '../../tools/model/metrics';
import { rng } from '../../tools/model/rng';
import { roundedToHalf } from '../../tools/model/weights';

// Framing here is a defect no straight line finds: flagged where feature 0 is far from its middle
// either way (an item cut off at either edge), as a ridge cannot rank but a hidden layer can.
function rows(n: number, seed: number): FeatureRow[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const f = Array.from({ length: 8 }, () => r() * 2 - 1);
    return { split: 'train' as const, image: `p${seed}-${i}.jpg`, subset: 'ss01', seed: 0, key: `k${seed}-${i}`, mos: 0.5 + 0.2 * f[1], aspect: null, strength: 0, f: f.map((v) => v * 50 + 100) };
  });
}

const framingOf = (r: FeatureRow) => (Math.abs((r.f[0] - 100) / 50) > 0.6 ? 0.7 : 0.1);

function label(r: FeatureRow): Label {
  const sev = Object.fromEntries(LABELLED_ASPECTS.map((a) => [a, 0.1])) as Label['sev'];
  sev.framing = framingOf(r);
  return { image: r.image, split: 'train', sev, main: 'none', why: {}, overall: 3, overallWhy: '', other: '', run: 't', line: 1 };
}

const NET: AspectMlpConfig = { aspects: ['framing'], share: 0.8, hidden: 16, epochs: 300, decay: 1e-3, dropout: 0, seed: 3 };

describe('the aspects’ hidden layer', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('ranks a defect the ridge cannot, only in the columns it is given, and the shipped layers model gives the same outputs', async () => {
    const { fitLinearHead, linearLayersModel, predictLinear } = await import('../../tools/model/linear-head');
    const train = rows(800, 1);
    const test = rows(200, 2);
    const labels = new Map(train.map((r) => [r.image, label(r)]));
    const fit = { ...DEFAULT_ASPECT_FIT, lambda: 1, synthWeight: 0, mlp: null };
    const plain = fitLinearHead(train, { lambda: 1, pooledShare: 0.8 }, { labels, fit });
    const mixed = fitLinearHead(train, { lambda: 1, pooledShare: 0.8 }, { labels, fit: { ...fit, mlp: NET } });
    const k = 1 + ASPECTS.indexOf('framing');
    const flagged = test.map((r) => framingOf(r) > 0.35);
    const aucOf = (pred: number[][]) => {
      const s = pred.map((p) => p[k]);
      return auc(
        s.filter((_, i) => flagged[i]),
        s.filter((_, i) => !flagged[i]),
      );
    };
    const plainPred = predictLinear(plain, test);
    const mixedPred = predictLinear(mixed, test);
    expect(aucOf(plainPred)).toBeLessThan(0.7);
    expect(aucOf(mixedPred)).toBeGreaterThan(0.85);
    // the other columns are the ridge's alone
    const others = mixedPred.map((p) => p.filter((_, j) => j !== k));
    others.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(plainPred[i].filter((_, jj) => jj !== k)[j], 6)));
    // the shipped model: the hidden kernel float16-exact, the same outputs as the fit
    const model = linearLayersModel(mixed);
    const kernel = model.getLayer('hidden').getWeights()[0].dataSync();
    expect(Array.from(kernel).every((v) => v === roundedToHalf(v))).toBe(true);
    const folded = tf.tidy(() => (model.predict(tf.tensor2d(test.map((r) => r.f))) as tf.Tensor2D).arraySync());
    folded.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(mixedPred[i][j], 3)));
    model.dispose();
  });

  it('fits the same network twice from the same seed', async () => {
    const { fitAspectMlp } = await import('../../tools/model/aspect-mlp');
    const train = rows(120, 5);
    const labels = new Map(train.map((r) => [r.image, label(r)]));
    const X = Float32Array.from(train.flatMap((r) => r.f.map((v) => (v - 100) / 50)));
    const fit = { ...DEFAULT_ASPECT_FIT, synthWeight: 0 };
    const a = fitAspectMlp(X, 8, train, labels, fit, LABELLED_ASPECTS, { ...NET, epochs: 5 });
    const b = fitAspectMlp(X, 8, train, labels, fit, LABELLED_ASPECTS, { ...NET, epochs: 5 });
    expect(Array.from(a.w1)).toEqual(Array.from(b.w1));
    expect(Array.from(a.w2)).toEqual(Array.from(b.w2));
    expect(() => fitAspectMlp(X, 8, train, new Map(), fit, LABELLED_ASPECTS, NET)).toThrow(/no labelled photos/);
  });
});
