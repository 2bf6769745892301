import type { AspectId } from '../../src/core/aspects';
import { calibrate, calibrationAt, fitAspectColumnsLambdas, judgedRow, lambdaOf, rowKind, type AspectFitConfig, type Calibration } from './aspect-head';
import type { FeatureRow } from './features-file';
import { fitStandardizer, standardized, standardizerRows } from './standardize';
import { fitQualityColumn, fitRatingColumn } from './linear-head';
import type { RaiseRamp } from '../../src/core/explain/reasons';
import { saysSideways, type Label } from './labels';
import { auc } from './metrics';
import { aspectAuc, judgedBy, reasonFigures, type AucWithInterval, type Judged, type ReasonFigures } from './reason-figures';
import { hash32 } from './rng';
import { overallOf } from '../../src/core/model/calibration';
import { blendedRaw, fitAspectMlp, netAspects } from './aspect-mlp';

// K-fold cross-validation of the aspect columns on train photos only (folds by photo, as
// cv.ts): held-out raw outputs of every labelled photo and every turned copy, then the
// calibration chosen on those held-out outputs, and the figures `npm run eval` reports on val.

export interface HeldOut {
  /**
   * Held-out raw outputs per aspect, for labelled untouched photos, and the held-out score
   * (0–100) and rating (1–5) of the quality and rating columns fitted on the same fold, which
   * set the bar for reasons.
   */
  labelled: { label: Label; raw: number[]; overall: number; rating: number }[];
  /** Held-out sideways (or tilt) output of turned copies of photos not stored turned. */
  turned: number[];
}

/** The quality output's map to 0–100 (the model card's calibration): the train MOS's 2nd and 98th percentiles. */
export function overallScale(rows: { mos: number | null }[]): { lo: number; hi: number } {
  const mos = rows
    .filter((r) => r.mos !== null)
    .map((r) => r.mos!)
    .sort((a, b) => a - b);
  return { lo: mos[Math.floor(mos.length * 0.02)], hi: mos[Math.floor(mos.length * 0.98)] };
}

export function cvAspectOutputs(rows: FeatureRow[], labels: Map<string, Label>, folds: number, cfg: AspectFitConfig, aspects: readonly AspectId[]): HeldOut {
  return cvAspectOutputsLambdas(rows, labels, folds, cfg, aspects, (a) => [lambdaOf(cfg, a)])[0];
}

/** A linear column on row i of standardized rows X (a feature the row lacks counts as its mean). */
export function linear(c: { w: ArrayLike<number>; b: number }, X: Float32Array, i: number, F: number): number {
  let v = c.b;
  for (let j = 0; j < F; j++) if (Number.isFinite(X[i * F + j])) v += c.w[j] * X[i * F + j];
  return v;
}

/** cvAspectOutputs for several λ per aspect (the i-th HeldOut uses each aspect's i-th λ). */
export function cvAspectOutputsLambdas(
  rows: FeatureRow[],
  labels: Map<string, Label>,
  folds: number,
  cfg: AspectFitConfig,
  aspects: readonly AspectId[],
  lambdas: (a: AspectId) => number[],
): HeldOut[] {
  const fold = (r: FeatureRow) => hash32(r.image) % folds;
  const L = lambdas(aspects[0]).length;
  const outs: HeldOut[] = Array.from({ length: L }, () => ({ labelled: [], turned: [] }));
  const col = aspects.indexOf(cfg.sideways === 'own' ? 'sideways' : 'tilt');
  const scale = overallScale(rows);
  for (let k = 0; k < folds; k++) {
    const fit = rows.filter((r) => fold(r) !== k);
    const st = fitStandardizer(standardizerRows(fit));
    const F = st.mean.length;
    const X = standardized(fit, st);
    for (let i = 0; i < X.length; i++) if (!Number.isFinite(X[i])) X[i] = 0;
    const cols = fitAspectColumnsLambdas(X, F, fit, labels, cfg, aspects, lambdas);
    const net = cfg.mlp ? fitAspectMlp(X, F, fit, labels, cfg, netAspects(aspects), cfg.mlp) : null;
    const quality = fitQualityColumn(fit, st);
    const rating = fitRatingColumn(fit, labels, st);
    const held = rows.filter((r) => fold(r) === k && (rowKind(r) === 'turned' || (judgedRow(r) && labels.has(r.image))));
    const Xh = standardized(held, st);
    outs.forEach((out, li) => {
      held.forEach((r, i) => {
        const ridge = cols.map((perLambda) => linear(perLambda[li], Xh, i, F));
        const raw = net && cfg.mlp ? blendedRaw(ridge, aspects, net, cfg.mlp, Xh, i) : ridge;
        if (rowKind(r) === 'turned') out.turned.push(raw[col]);
        else out.labelled.push({ label: labels.get(r.image)!, raw, overall: overallOf(linear(quality, Xh, i, F), scale), rating: linear(rating, Xh, i, F) });
      });
    });
    process.stderr.write(`  fold ${k + 1}/${folds}\n`);
  }
  return outs;
}

/** A label's target for an aspect's calibration (sideways: 1 when the label says the photo is turned). */
export type LabelTarget = (label: Label, aspect: AspectId) => number | null;

export function calibrations(held: HeldOut, aspects: readonly AspectId[], target: LabelTarget, opts: { precision: number; maxShare: number }): Calibration[] {
  return aspects.map((a, k) => {
    const pairs = held.labelled.flatMap((h) => {
      const y = target(h.label, a);
      return y === null ? [] : [[h.raw[k], y] as const];
    });
    return calibrate(
      pairs.map((p) => p[0]),
      pairs.map((p) => p[1]),
      opts,
    );
  });
}

export const applyCalibration = (raw: number, c: Calibration) => Math.min(1, Math.max(0, 0.35 + c.slope * (raw - c.at35)));

/** The held-out photos as the coach would judge them with these calibrations. */
export function judge(held: HeldOut, aspects: readonly AspectId[], cals: Calibration[], ramp?: RaiseRamp): Judged[] {
  return held.labelled.map(({ label, raw, overall, rating }) => {
    const sev = Object.fromEntries(aspects.map((a, k) => [a, applyCalibration(raw[k], cals[k])])) as Record<AspectId, number>;
    return judgedBy(label, sev, { overall, rating }, ramp);
  });
}

export function cvFigures(held: HeldOut, aspects: readonly AspectId[], target: LabelTarget, opts: { precision: number; maxShare: number; joint?: number; ramp?: RaiseRamp }) {
  const cals = opts.joint ? jointCalibrations(held, aspects, target, { ...DEFAULT_JOINT, poorWithReason: opts.joint }, opts.ramp) : calibrations(held, aspects, target, opts);
  const judged = judge(held, aspects, cals, opts.ramp);
  const auc: Record<string, AucWithInterval | null> = Object.fromEntries(aspects.map((a) => [a, aspectAuc(judged, a, 200)]));
  if (aspects.includes('sideways'))
    auc.tilt_or_sideways = aspectAuc(
      judged.map((j) => ({ ...j, sev: { ...j.sev, tilt: Math.max(j.sev.tilt, j.sev.sideways) } })),
      'tilt',
      200,
    );
  return { cals, auc, reasons: reasonFigures(judged, aspects) };
}

/**
 * How well the column that would carry "turned" finds photos the labels say are stored
 * sideways (held-out real photos), and turned copies, against the other labelled photos.
 */
export function sidewaysEvidence(held: HeldOut, col: number) {
  const side = held.labelled.filter((h) => saysSideways(h.label)).map((h) => h.raw[col]);
  const rest = held.labelled.filter((h) => !saysSideways(h.label));
  const round = (v: number) => Math.round(v * 1000) / 1000;
  const leaning = rest.filter((h) => h.label.sev.tilt >= 0.35).map((h) => h.raw[col]);
  const level = rest.filter((h) => h.label.sev.tilt < 0.35).map((h) => h.raw[col]);
  return {
    realSideways: side.length,
    aucRealSidewaysVsRest: side.length
      ? round(
          auc(
            side,
            rest.map((h) => h.raw[col]),
          ),
        )
      : null,
    aucTurnedCopiesVsRest: held.turned.length
      ? round(
          auc(
            held.turned,
            rest.map((h) => h.raw[col]),
          ),
        )
      : null,
    /** Does the column also fire on photos that merely lean? (high = it cannot tell a lean from a turn) */
    aucLeaningVsLevel: leaning.length ? round(auc(leaning, level)) : null,
  };
}

export interface JointGoal {
  /** Share of poor photos (overall ≤ 2) that should get a reason. */
  poorWithReason: number;
  /** Shares flagged to choose from, as multiples of each aspect's labelled share. */
  steps: number[];
  /** Least share of an aspect's flags on labelled defects, where any step reaches it. */
  precision: number;
}

export const DEFAULT_JOINT: JointGoal = { poorWithReason: 0.95, steps: [0.75, 0.85, 0.95, 1.05, 1.15, 1.25], precision: 0.75 };

/**
 * Per-aspect thresholds chosen together, on held-out outputs: every aspect starts at the
 * smallest share allowed (3/4 of its labelled share), then the aspect whose next step brings the
 * most poor photos a reason per clean photo given one anyway steps up, until `goal` of poor
 * photos get a reason or no step is left. A step whose flags would fall under `precision`
 * labelled defects is skipped where the aspect has any step that reaches it.
 */
export function jointCalibrations(held: HeldOut, aspects: readonly AspectId[], target: LabelTarget, goal: JointGoal = DEFAULT_JOINT, ramp?: RaiseRamp): Calibration[] {
  const options = aspects.map((a, k) => {
    const pairs = held.labelled.flatMap((h) => {
      const y = target(h.label, a);
      return y === null ? [] : [[h.raw[k], y] as const];
    });
    const raw = pairs.map((p) => p[0]);
    const y = pairs.map((p) => p[1]);
    const positives = y.filter((v) => v >= 0.35).length;
    const all = goal.steps.map((m) => calibrationAt(raw, y, Math.round(m * positives)));
    const precise = all.filter((c) => c.precision >= goal.precision);
    return precise.length ? precise : all;
  });
  const at = aspects.map(() => 0);
  const figures = () =>
    reasonFigures(
      judge(
        held,
        aspects,
        at.map((i, k) => options[k][i]),
        ramp,
      ),
      aspects,
    );
  let current = figures();
  while (current.poorWithReason < goal.poorWithReason) {
    let best: { k: number; gain: number; next: ReasonFigures } | null = null;
    for (let k = 0; k < aspects.length; k++) {
      if (at[k] + 1 >= options[k].length) continue;
      at[k]++;
      const next = figures();
      at[k]--;
      const gain = (next.poorWithReason - current.poorWithReason) / (Math.max(0, next.cleanWithReason - current.cleanWithReason) + 1e-3);
      if (!best || gain > best.gain) best = { k, gain, next };
    }
    if (!best) break;
    at[best.k]++;
    current = best.next;
  }
  return at.map((i, k) => options[k][i]);
}
