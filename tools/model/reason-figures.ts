import type { AspectId } from '../../src/core/aspects';
import { isClean, NOTICE_AT, saysSideways, type Label } from './labels';
import { orderReasons, type BarInput, type RaiseRamp } from '../../src/core/explain/reasons';
import { auc } from './metrics';
import { rng } from './rng';

// Figures that hold the coach's words against the step-by-step labels of real photos: how well
// each aspect's severity ranks the labelled defects, and how often the reasons the coach would
// show agree with the label. Shared by `npm run cv -- --labels` (held-out train photos) and
// `npm run eval` (val photos).

/** Does the label flag this aspect? A sideways reason agrees with a label that says the photo is turned. */
export function labelFlags(label: Label, aspect: AspectId): boolean {
  if (aspect === 'sideways') return saysSideways(label);
  return label.sev[aspect] >= NOTICE_AT;
}

export function labelMainIs(label: Label, aspect: AspectId): boolean {
  if (aspect === 'sideways') return saysSideways(label) && (label.main === 'tilt' || label.main === 'none');
  return label.main === aspect;
}

export interface Judged {
  label: Label;
  /** Severity per aspect, as the coach computes it. */
  sev: Record<AspectId, number>;
  /** The reasons the coach shows, in its order. */
  reasons: AspectId[];
}

/** A photo as the coach judges it: its severities and the reasons it would show for them. */
export function judgedBy(label: Label, sev: Record<AspectId, number>, at: BarInput, ramp?: RaiseRamp): Judged {
  return { label, sev, reasons: orderReasons(sev, at, ramp).map((r) => r.aspect) };
}

export interface ReasonFigures {
  photos: number;
  poor: number;
  /** Poor photos (overall ≤ 2) with at least one reason. */
  poorWithReason: number;
  /** Poor photos whose first reason is an aspect their label flags (≥ 0.35), of all poor photos. */
  poorFirstFlagged: number;
  /** The same, of the poor photos that get a reason. */
  poorFirstFlaggedOfReasoned: number;
  /** Poor photos whose first reason is the label's `main`, of all poor photos. */
  poorFirstMain: number;
  clean: number;
  /** Clean photos (overall ≥ 4, nothing flagged) that get a reason anyway. */
  cleanWithReason: number;
  /** Per aspect: share of clean photos where the coach raises it. */
  cleanFlaggedBy: Record<string, number>;
  /** Per aspect: share of photos flagged by the coach, by the label, and flags that the label agrees with. */
  flags: Record<string, { coach: number; labels: number; precision: number; n: number }>;
}

const share = (k: number, n: number) => (n ? Math.round((k / n) * 1000) / 1000 : NaN);

export function reasonFigures(items: Judged[], aspects: readonly AspectId[]): ReasonFigures {
  const poor = items.filter((i) => i.label.overall <= 2);
  const reasoned = poor.filter((i) => i.reasons.length);
  const firstFlagged = reasoned.filter((i) => labelFlags(i.label, i.reasons[0])).length;
  const clean = items.filter((i) => isClean(i.label));
  const flags: ReasonFigures['flags'] = {};
  for (const a of aspects) {
    const coach = items.filter((i) => i.sev[a] >= NOTICE_AT);
    flags[a] = {
      coach: share(coach.length, items.length),
      labels: share(items.filter((i) => labelFlags(i.label, a)).length, items.length),
      precision: share(coach.filter((i) => labelFlags(i.label, a)).length, coach.length),
      n: coach.length,
    };
  }
  return {
    photos: items.length,
    poor: poor.length,
    poorWithReason: share(reasoned.length, poor.length),
    poorFirstFlagged: share(firstFlagged, poor.length),
    poorFirstFlaggedOfReasoned: share(firstFlagged, reasoned.length),
    poorFirstMain: share(poor.filter((i) => i.reasons.length && labelMainIs(i.label, i.reasons[0])).length, poor.length),
    clean: clean.length,
    cleanWithReason: share(clean.filter((i) => i.reasons.length).length, clean.length),
    cleanFlaggedBy: Object.fromEntries(aspects.map((a) => [a, share(clean.filter((i) => i.reasons.includes(a)).length, clean.length)])),
    flags,
  };
}

export interface AucWithInterval {
  auc: number;
  lo: number;
  hi: number;
  positives: number;
  negatives: number;
}

/** AUC of the severity against "the label flags it", with a 95 % percentile bootstrap interval over photos. */
export function aspectAuc(items: Judged[], aspect: AspectId, resamples = 1000, seed = 7): AucWithInterval | null {
  const pos = items.filter((i) => labelFlags(i.label, aspect)).map((i) => i.sev[aspect]);
  const neg = items.filter((i) => !labelFlags(i.label, aspect)).map((i) => i.sev[aspect]);
  if (!pos.length || !neg.length) return null;
  const r = rng(seed);
  const draws: number[] = [];
  for (let b = 0; b < resamples; b++) {
    // resample positives and negatives separately, so every draw has both
    const p = pos.map(() => pos[Math.floor(r() * pos.length)]);
    const n = neg.map(() => neg[Math.floor(r() * neg.length)]);
    draws.push(auc(p, n));
  }
  draws.sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return { auc: round(auc(pos, neg)), lo: round(draws[Math.floor(0.025 * resamples)]), hi: round(draws[Math.floor(0.975 * resamples)]), positives: pos.length, negatives: neg.length };
}

export interface LabelFigures {
  /** Per group (pooled, ss01, …): AUC per aspect with its interval, and the reason figures. */
  [group: string]: { auc: Record<string, AucWithInterval | null>; reasons: ReasonFigures };
}

/**
 * The figures of `npm run eval` on labelled photos, pooled and per subset. `tilt_or_sideways`
 * holds the larger of the two severities against the label's tilt: the labels score a photo
 * stored turned as strong tilt, where the coach says "sideways".
 */
export function labelFigures(items: (Judged & { subset: string })[], aspects: readonly AspectId[]): LabelFigures {
  const groups: Record<string, (Judged & { subset: string })[]> = { pooled: items };
  for (const i of items) {
    groups[i.subset] ??= [];
    groups[i.subset].push(i);
  }
  const out: LabelFigures = {};
  for (const [g, its] of Object.entries(groups)) {
    const auc: Record<string, AucWithInterval | null> = Object.fromEntries(aspects.map((a) => [a, aspectAuc(its, a)]));
    if (aspects.includes('sideways')) {
      const merged = its.map((i) => ({ ...i, sev: { ...i.sev, tilt: Math.max(i.sev.tilt, i.sev.sideways) } }));
      auc.tilt_or_sideways = aspectAuc(merged, 'tilt');
    }
    out[g] = { auc, reasons: reasonFigures(its, aspects) };
  }
  return out;
}

/**
 * The figures as text. `trainCv` (the model card's 4-fold CV AUC on train labels) is printed
 * beside the pooled AUC: aspects with few val positives (noise, low resolution, tilt) are better
 * read there.
 */
export function labelFiguresTable(f: LabelFigures, trainCv?: Record<string, { auc: number; positives: number } | null>): string {
  const lines = ['on the val labels (AUC [95 % interval] positives; reasons the coach shows):'];
  for (const [g, { auc, reasons: r }] of Object.entries(f)) {
    lines.push(`  ${g} (${r.photos} photos, ${r.poor} poor, ${r.clean} clean)`);
    lines.push(
      `    AUC: ${Object.entries(auc)
        .map(([a, v]) => (v ? `${a} ${v.auc.toFixed(3)} [${v.lo.toFixed(2)}–${v.hi.toFixed(2)}] ${v.positives}` : `${a} –`))
        .join(', ')}`,
    );
    if (g === 'pooled' && trainCv)
      lines.push(
        `    train CV AUC: ${Object.entries(trainCv)
          .map(([a, v]) => (v ? `${a} ${v.auc.toFixed(3)} (${v.positives})` : `${a} –`))
          .join(', ')}`,
      );
    lines.push(
      `    poor with a reason ${r.poorWithReason}, first reason flagged ${r.poorFirstFlagged} (${r.poorFirstFlaggedOfReasoned} of those with one), first reason = main ${r.poorFirstMain}; clean with a reason ${r.cleanWithReason}`,
    );
    lines.push(
      `    flagged coach/labels (precision): ${Object.entries(r.flags)
        .map(([a, v]) => `${a} ${v.coach}/${v.labels} (${v.precision})`)
        .join(', ')}`,
    );
  }
  return lines.join('\n');
}
