import { ASPECTS, type AspectId } from '../aspects';

// Which aspects the coach raises, and in what order: every aspect at or over "a buyer would
// notice" (the head is calibrated so that 0.35 means that for each aspect), most severe first.
// Kept apart from the wording so the CLI, the training tools and the UI order reasons alike.
// The bar climbs on photos the model judges good: there a borderline severity is more often a
// false alarm than a defect (most reasons on photos the labels call clean are of that kind), so
// only a clearer defect is raised there.

export const RAISE_AT = 0.35;
export const STRONG_AT = 0.6;
export const MAX_REASONS = 3;

/**
 * Where the bar to raise an aspect climbs: from RAISE_AT at `from` to RAISE_AT + `extra` at `to`
 * and above, linearly, on the photo's score (0–100) or its rating (1–5, the model's estimate of
 * the overall a careful reviewer gives, as the step-by-step labels do). Chosen by 4-fold CV on
 * labelled train photos (`npm run cv -- --labels --ramps …`, tools/model/README.md "Aspects").
 */
export interface RaiseRamp {
  by: 'score' | 'rating';
  from: number;
  to: number;
  extra: number;
}

export const RAISE_RAMP: RaiseRamp = { by: 'rating', from: 3, to: 4, extra: 0.25 };

/** What the bar reads from a photo's score: the 0–100 score and, where the model gives one, the rating. */
export interface BarInput {
  overall: number;
  rating?: number;
}

/** The severity at which an aspect is raised on this photo. */
export function raiseAt(at: BarInput, ramp: RaiseRamp = RAISE_RAMP): number {
  const v = ramp.by === 'rating' ? at.rating : at.overall;
  // an unknown score or rating (a model without the rating output) raises at the plain bar
  if (v === undefined || !Number.isFinite(v)) return RAISE_AT;
  const t = ramp.to > ramp.from ? (v - ramp.from) / (ramp.to - ramp.from) : v >= ramp.to ? 1 : 0;
  return RAISE_AT + ramp.extra * Math.min(1, Math.max(0, t));
}

/**
 * How easily a seller fixes each aspect (1 = trivially). Only breaks ties in severity: the
 * advice most likely to be followed goes first when two defects are equally bad.
 */
const FIXABILITY: Record<AspectId, number> = {
  sideways: 1,
  underexposure: 1,
  tilt: 1,
  framing: 0.95,
  clutter: 0.9,
  blur: 0.9,
  overexposure: 0.85,
  color_cast: 0.8,
  noise: 0.75,
  low_resolution: 0.7,
};

/** Severities are compared at this resolution: closer than that, they count as a tie. */
const TIE = 0.01;

/** The aspects to raise on a photo with these severities and this score (and rating), in order. */
export function orderReasons(severity: Record<AspectId, number>, at: BarInput, ramp: RaiseRamp = RAISE_RAMP): { aspect: AspectId; severity: number }[] {
  const bar = raiseAt(at, ramp);
  return ASPECTS.filter((a) => severity[a] >= bar)
    .map((aspect) => ({ aspect, severity: severity[aspect] }))
    .sort((a, b) => Math.round((b.severity - a.severity) / TIE) || FIXABILITY[b.aspect] - FIXABILITY[a.aspect])
    .slice(0, MAX_REASONS);
}
