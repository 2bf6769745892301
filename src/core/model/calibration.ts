import type { AspectId, Band, Score } from '../aspects';
import { extraIndex, type HeadExtra, type ModelCard } from './bundle';

// From the head's raw outputs to what the seller sees: the quality output mapped to 0–100 by
// the model card's calibration, its band, and each aspect's severity held to 0–1.

export function bandFor(overall: number, bands: ModelCard['bands']): Band {
  if (overall >= bands.great) return 'great';
  if (overall >= bands.ok) return 'ok';
  return 'needs_work';
}

/** The 0–100 score of the head's quality output, by the card's calibration (unrounded). */
export const overallOf = (q: number, { lo, hi }: ModelCard['calibration']) => Math.min(100, Math.max(0, ((q - lo) / (hi - lo)) * 100));

/**
 * Points off the score for a photo lying on its side. The ratings the quality output learned from
 * were given to photos shown upright, so it cannot see a turn; the step-by-step labels, which saw
 * each photo as its file stores it, put a sideways photo below upright ones that score the same
 * (tools/model/sideways-penalty.ts). So the score falls with the reason, and rises with the turn.
 */
export function sidewaysPenalty(sideways: number, penalty: ModelCard['penalty']): number {
  const p = penalty?.sideways;
  if (!p) return 0;
  return p.points * Math.min(1, Math.max(0, (sideways - p.from) / (p.to - p.from)));
}

/** From the head's raw outputs (quality ≈ MOS 0–1, then one severity per aspect) to a Score. */
export function toScore(raw: ArrayLike<number>, card: ModelCard, width: number, height: number): Score {
  const aspects = {} as Record<AspectId, number>;
  const unit = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000;
  card.aspects.forEach((id, i) => {
    aspects[id] = unit(raw[i + 1]);
  });
  const off = aspects.sideways === undefined ? 0 : sidewaysPenalty(aspects.sideways, card.penalty);
  const overall = Math.round(Math.max(0, overallOf(raw[0], card.calibration) - off) * 10) / 10;
  const score: Score = { overall, band: bandFor(overall, card.bands), aspects, width, height };
  const extra = (name: HeadExtra) => {
    const k = extraIndex(card.head.extra, card.aspects.length, name);
    return k >= 0 ? raw[k] : undefined;
  };
  const upsideDown = extra('upside_down');
  if (upsideDown !== undefined) score.upsideDown = unit(upsideDown);
  const rating = extra('rating');
  if (rating !== undefined) score.rating = Math.round(Math.min(5, Math.max(1, rating)) * 100) / 100;
  return score;
}
