import type { AspectId, Score } from '../aspects';
import type { Locale } from '../locale';
import { fill, TEMPLATES } from './templates';
import { orderReasons, STRONG_AT } from './reasons';

export { TEMPLATES, type Provenance, type Template } from './templates';
export { dHash, findNearDuplicates, hamming, NEAR_DUPLICATE_BITS } from '../image/fingerprint';

export { MAX_REASONS, RAISE_AT, STRONG_AT, orderReasons, raiseAt } from './reasons';

export interface Reason {
  aspect: AspectId;
  severity: number;
  reason: string;
  tip: string;
}

export interface Advice {
  /** Praise: only in the great band, and only with nothing to fix. */
  great: boolean;
  headline: string;
  reasons: Reason[];
}

/**
 * The top 1–3 things to fix, most severe first. With nothing over its threshold: praise in the
 * great band, and below it an honest line about the score (not a reason: nothing to fix was found).
 */
export function explain(score: Score, locale: Locale): Advice {
  const t = TEMPLATES[locale];
  const reasons = orderReasons(score.aspects, score).map(({ aspect, severity }) => {
    const tpl = t[aspect][severity >= STRONG_AT ? 'strong' : 'mild'];
    return { aspect, severity, reason: tpl.reason, tip: tpl.tip };
  });
  if (reasons.length) return { great: false, headline: reasons[0].reason, reasons };
  const great = score.band === 'great';
  return { great, headline: great ? t.great : score.band === 'ok' ? t.fine : t.weak, reasons };
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
