import * as tf from '@tensorflow/tfjs';
import { DEFAULT_ASPECT_FIT, fitWeightedRidge, judgedRow, targetOf } from '../../tools/model/aspect-head';
import { jointCalibrations, type HeldOut } from '../../tools/model/cv-labels';
import type { FeatureRow } from '../../tools/model/features-file';
import { labelTarget, parseLabels, type Label } from '../../tools/model/labels';
import { reasonFigures } from '../../tools/model/reason-figures';
import { judge } from '../../tools/model/cv-labels';
import { ASPECTS, LABELLED_ASPECTS } from '../../src/core/aspects';
import { rng } from '../../tools/model/rng';
import { uprightLabels } from '../../tools/torch/views';

const label = (over: Record<string, unknown> = {}, sev: Record<string, number> = {}): Label =>
  parseLabels(
    JSON.stringify({
      image: 'a.jpg',
      split: 'train',
      main: 'none',
      why: {},
      overall: 3,
      other: '',
      run: 'c1',
      sev: Object.fromEntries(LABELLED_ASPECTS.map((a) => [a, sev[a] ?? 0.1])),
      ...over,
    }),
    'l',
  ).labels[0];
// 'turned.jpg' stands for a photo whose EXIF orientation turns it: its label judged it as stored
vi.mock('../../tools/model/dataset', async (original) => ({ ...(await original<typeof import('../../tools/model/dataset')>()), storedTurned: (image: string) => image === 'turned.jpg' }));

const row = (over: Partial<FeatureRow>): FeatureRow => ({ key: 'k', split: 'train', image: 'a.jpg', subset: 'ss01', mos: 0.5, aspect: null, strength: 0, seed: 0, f: [], ...over });

describe('aspect targets', () => {
  const cfg = { ...DEFAULT_ASPECT_FIT, synthWeight: 0.5 };
  it.each([
    ['a labelled photo: its severity', 'blur', row({}), label({}, { blur: 0.7 }), { y: 0.7, w: 1 }],
    ['an unlabelled photo: nothing', 'blur', row({}), undefined, null],
    ['its damaged copy, same aspect: the damage', 'blur', row({ aspect: 'blur', strength: 0.5, mos: null }), undefined, { y: 0.7, w: 0.5 }],
    ['its damaged copy, same aspect, labelled worse: the label', 'blur', row({ aspect: 'blur', strength: 0, mos: null }), label({}, { blur: 0.9 }), { y: 0.9, w: 0.5 }],
    ['a damaged copy, other aspect, labelled source: the source', 'noise', row({ aspect: 'blur', strength: 1, mos: null }), label({}, { noise: 0.4 }), { y: 0.4, w: 0.5 }],
    ['a damaged copy, other aspect, unlabelled source: nothing', 'noise', row({ aspect: 'blur', strength: 1, mos: null }), undefined, null],
    ['a turned copy is sideways', 'sideways', row({ turn: 1, mos: null }), undefined, { y: 1, w: 0.5 }],
    ['a turned copy of a photo stored turned: nothing', 'sideways', row({ turn: 1, mos: null }), label({ other: 'The photo is turned sideways.' }), null],
    ['a photo stored turned is sideways', 'sideways', row({}), label({ other: 'The photo is turned sideways.' }), { y: 1, w: 1 }],
    ['a photo stored turned leaves the tilt fit', 'tilt', row({}), label({ other: 'The photo is turned sideways.' }, { tilt: 0.7 }), null],
    ['a level photo is not sideways', 'sideways', row({}), label(), { y: 0, w: 1 }],
  ] as const)('%s', (_, aspect, r, l, want) => {
    expect(targetOf(aspect, r, l, cfg)).toEqual(want);
  });

  const sidewaysAsStored = label({ image: 'turned.jpg', other: 'The photo is turned sideways.' }, { tilt: 0.8, blur: 0.6 });
  const slantAsStored = label({ image: 'turned.jpg' }, { tilt: 0.5 });
  const asStored = (over: Partial<FeatureRow>) => row({ image: 'turned.jpg', ...over });
  it.each([
    ['as stored, labelled sideways: sideways', 'sideways', asStored({ stored: true, mos: null }), sidewaysAsStored, { y: 1, w: 1 }],
    ['as stored, labelled sideways: out of the tilt fit', 'tilt', asStored({ stored: true, mos: null }), sidewaysAsStored, null],
    ['as stored: the label', 'blur', asStored({ stored: true, mos: null }), sidewaysAsStored, { y: 0.6, w: 1 }],
    ['shown upright, labelled sideways as stored: upright', 'sideways', asStored({}), sidewaysAsStored, { y: 0, w: 1 }],
    ['shown upright, labelled sideways as stored: no tilt known', 'tilt', asStored({}), sidewaysAsStored, null],
    ['shown upright: the label for what a turn leaves alone', 'blur', asStored({}), sidewaysAsStored, { y: 0.6, w: 1 }],
    ['shown upright, not labelled sideways as stored: no up known', 'sideways', asStored({}), slantAsStored, null],
    ['shown upright, not labelled sideways as stored: its slant', 'tilt', asStored({}), slantAsStored, { y: 0.5, w: 1 }],
    ['turned from upright, labelled sideways as stored: sideways', 'sideways', asStored({ turn: 3, mos: null }), sidewaysAsStored, { y: 1, w: 0.5 }],
    ['turned, not labelled sideways as stored: no up known', 'sideways', asStored({ turn: 3, mos: null }), slantAsStored, null],
    ['damaged upright, labelled sideways as stored: upright', 'sideways', asStored({ aspect: 'noise', strength: 0.5, mos: null }), sidewaysAsStored, { y: 0, w: 0.5 }],
  ] as const)('a photo stored turned, %s', (_, aspect, r, l, want) => {
    expect(targetOf(aspect, r, l, cfg)).toEqual(want);
  });

  it('takes the stored row as the one a label judged where the file stores the photo turned', () => {
    expect(judgedRow(asStored({ stored: true, mos: null }))).toBe(true);
    expect(judgedRow(asStored({}))).toBe(false);
    expect(judgedRow(row({}))).toBe(true);
    expect(judgedRow(row({ turn: 1 }))).toBe(false);
    expect(judgedRow(row({ aspect: 'blur' }))).toBe(false);
  });

  it("gives the torch trainer's upright views no tilt for a photo labelled sideways as stored, and the rest of its label", () => {
    const tilt = LABELLED_ASPECTS.indexOf('tilt');
    const upright = uprightLabels(sidewaysAsStored, 'turned.jpg');
    expect(upright[tilt]).toBeNull();
    expect(upright.filter((_, k) => k !== tilt)).toEqual(LABELLED_ASPECTS.filter((a) => a !== 'tilt').map((a) => sidewaysAsStored.sev[a]));
    expect(uprightLabels(slantAsStored, 'turned.jpg')[tilt]).toBe(0.5);
    expect(uprightLabels(sidewaysAsStored, 'a.jpg')[tilt]).toBe(0.8);
  });

  it('weighs a clean photo (overall ≥ 4, nothing flagged) by cleanWeight, and fits flags when asked', () => {
    expect(targetOf('blur', row({}), label({ overall: 4 }, { blur: 0.2 }), { ...cfg, cleanWeight: 3 })).toEqual({ y: 0.2, w: 3 });
    expect(targetOf('blur', row({}), label({ overall: 2 }, { blur: 0.4 }), { ...cfg, target: 'flag' })).toEqual({ y: 1, w: 1 });
  });
});

describe('weighted ridge', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('recovers a linear target, and a row of weight 2 counts as two rows', () => {
    const r = rng(3);
    const n = 80;
    const F = 4;
    const X = Float32Array.from({ length: n * F }, () => r() * 2 - 1);
    const y = Array.from({ length: n }, (_, i) => 0.3 + 0.5 * X[i * F] - 0.2 * X[i * F + 2]);
    const idx = Array.from({ length: n }, (_, i) => i);
    const fit = fitWeightedRidge(
      X,
      F,
      idx,
      y,
      idx.map(() => 1),
      1e-6,
    );
    expect(fit.w[0]).toBeCloseTo(0.5, 4);
    expect(fit.w[2]).toBeCloseTo(-0.2, 4);
    expect(fit.b).toBeCloseTo(0.3, 4);
    // doubling row 0 by weight equals appending a copy of it
    const noisy = y.map((v, i) => v + (i % 3) * 0.05);
    const weighted = fitWeightedRidge(
      X,
      F,
      idx,
      noisy,
      idx.map((i) => (i === 0 ? 2 : 1)),
      0.5,
    );
    const X2 = new Float32Array((n + 1) * F);
    X2.set(X);
    X2.set(X.subarray(0, F), n * F);
    const copied = fitWeightedRidge(
      X2,
      F,
      [...idx, n],
      [...noisy, noisy[0]],
      [...idx, n].map(() => 1),
      0.5,
    );
    weighted.w.forEach((w, j) => expect(w).toBeCloseTo(copied.w[j], 6));
  });
});

describe('joint calibration', () => {
  it('steps aspects up from 3/4 of their labelled share until enough poor photos get a reason', () => {
    const r = rng(5);
    // 400 photos; half poor with one labelled defect; predictions rank the defect with noise
    const held: HeldOut = { labelled: [], turned: [] };
    for (let i = 0; i < 400; i++) {
      const bad = ASPECTS[i % 3];
      const poor = i % 2 === 0;
      const sev = poor ? { [bad]: 0.6 } : {};
      const l = label({ overall: poor ? 2 : 4, image: `p${i}.jpg` }, sev);
      // scored 0 and rated 1: the plain bar for reasons, whatever the ramp
      held.labelled.push({ label: l, raw: ASPECTS.map((a) => (poor && a === bad ? 0.5 : 0) + r() * 0.6), overall: 0, rating: 1 });
    }
    const cals = jointCalibrations(held, ASPECTS, labelTarget, { poorWithReason: 0.8, steps: [0.75, 1, 1.25], precision: 0.5 });
    const f = reasonFigures(judge(held, ASPECTS, cals), ASPECTS);
    expect(f.poorWithReason).toBeGreaterThanOrEqual(0.8);
    for (const [k, a] of ASPECTS.slice(0, 3).entries()) {
      expect(cals[k].flaggedShare / cals[k].labelledShare, a).toBeGreaterThanOrEqual(0.74);
      expect(cals[k].flaggedShare / cals[k].labelledShare, a).toBeLessThanOrEqual(1.26);
    }
  });

  it('holds a high-scoring clean photo to the higher bar of the ramp, and a low-scoring poor one to 0.35', () => {
    const r = rng(9);
    // clean photos score high and carry borderline false alarms; poor ones score low with clear defects
    const held: HeldOut = { labelled: [], turned: [] };
    for (let i = 0; i < 400; i++) {
      const poor = i % 2 === 0;
      const l = label({ overall: poor ? 2 : 4, image: `q${i}.jpg` }, poor ? { blur: 0.7 } : {});
      held.labelled.push({ label: l, raw: ASPECTS.map((a) => (a === 'blur' ? (poor ? 0.6 : 0.3) + r() * 0.2 : r() * 0.1)), overall: poor ? 20 : 90, rating: poor ? 2 : 4.5 });
    }
    const goal = { poorWithReason: 0.9, steps: [0.75, 1, 1.25], precision: 0.5 };
    const none = { by: 'score' as const, from: 0, to: 0, extra: 0 };
    const plain = reasonFigures(judge(held, ASPECTS, jointCalibrations(held, ASPECTS, labelTarget, goal, none), none), ASPECTS);
    for (const ramp of [
      { by: 'score' as const, from: 50, to: 80, extra: 0.15 },
      { by: 'rating' as const, from: 3, to: 4, extra: 0.15 },
    ]) {
      const ramped = reasonFigures(judge(held, ASPECTS, jointCalibrations(held, ASPECTS, labelTarget, goal, ramp), ramp), ASPECTS);
      expect(ramped.poorWithReason, ramp.by).toBe(plain.poorWithReason);
      expect(ramped.cleanWithReason, ramp.by).toBeLessThan(plain.cleanWithReason);
    }
  });
});
