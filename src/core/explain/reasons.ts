import { ASPECTS, type AspectId } from '../aspects';

// Which aspects the coach raises, and in what order: every aspect at or over "a buyer would
// notice" (the head is calibrated so that 0.35 means that for each aspect), most severe first.
// Kept apart from the wording so the CLI, the training tools and the UI order reasons alike.

export const RAISE_AT = 0.35;
export const STRONG_AT = 0.6;
export const MAX_REASONS = 3;

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

export function orderReasons(severity: Record<AspectId, number>): { aspect: AspectId; severity: number }[] {
  return ASPECTS.filter((a) => severity[a] >= RAISE_AT)
    .map((aspect) => ({ aspect, severity: severity[aspect] }))
    .sort((a, b) => Math.round((b.severity - a.severity) / TIE) || FIXABILITY[b.aspect] - FIXABILITY[a.aspect])
    .slice(0, MAX_REASONS);
}
