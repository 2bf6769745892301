import { ASPECTS, type AspectId, type Score } from '../aspects';
import { fill, TEMPLATES, type Locale } from './templates';

export { TEMPLATES, type Locale, type Provenance, type Template } from './templates';
export { dHash, findNearDuplicates, hamming, NEAR_DUPLICATE_BITS } from './dhash';

export const RAISE_AT = 0.35;
export const STRONG_AT = 0.6;

/**
 * How easily a seller fixes each aspect with a retake (1 = trivially): ties in severity go to
 * the easier fix, since that is the advice most likely to be followed.
 */
const FIXABILITY: Record<AspectId, number> = {
  underexposure: 1, tilt: 1, framing: 0.95, clutter: 0.9, blur: 0.9, overexposure: 0.85, color_cast: 0.8, noise: 0.75, low_resolution: 0.7,
};

export interface Reason {
  aspect: AspectId;
  severity: number;
  reason: string;
  tip: string;
}

export interface Advice {
  great: boolean;
  headline: string;
  reasons: Reason[];
}

/** The top 1–3 things to fix, most severe and most fixable first; praise when nothing is wrong. */
export function explain(score: Score, locale: Locale): Advice {
  const t = TEMPLATES[locale];
  const reasons = ASPECTS.filter((a) => score.aspects[a] >= RAISE_AT)
    .sort((a, b) => score.aspects[b] * FIXABILITY[b] - score.aspects[a] * FIXABILITY[a])
    .slice(0, 3)
    .map((aspect) => {
      const severity = score.aspects[aspect];
      const tpl = t[aspect][severity >= STRONG_AT ? 'strong' : 'mild'];
      return { aspect, severity, reason: tpl.reason, tip: tpl.tip };
    });
  if (reasons.length) return { great: false, headline: reasons[0].reason, reasons };
  const great = score.band === 'great';
  return { great, headline: great ? t.great : t.fine, reasons };
}

/**
 * The photo to show first: the best overall score, with the framing and clutter that matter
 * most in a thumbnail held against it. -1 when nothing is scored yet.
 */
export function rankCover(scores: (Score | undefined)[]): number {
  let best = -1;
  let bestValue = -Infinity;
  scores.forEach((s, i) => {
    if (!s) return;
    const v = s.overall - 15 * s.aspects.framing - 10 * s.aspects.clutter;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  });
  return best;
}

/** Marketplace rules that need no model. */
export function checkPhoto(meta: { width: number; height: number }, locale: Locale): { code: string; message: string }[] {
  const t = TEMPLATES[locale].checks;
  const out: { code: string; message: string }[] = [];
  const short = Math.min(meta.width, meta.height);
  const long = Math.max(meta.width, meta.height);
  if (short < 500) out.push({ code: 'SHORT_SIDE_UNDER_500', message: fill(t.tooSmall, meta) });
  if (long / short > 3) out.push({ code: 'EXTREME_ASPECT_RATIO', message: t.extremeRatio });
  return out;
}
