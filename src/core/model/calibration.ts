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

/** From the head's raw outputs (quality ≈ MOS 0–1, then one severity per aspect) to a Score. */
export function toScore(raw: ArrayLike<number>, card: ModelCard, width: number, height: number): Score {
  const overall = Math.round(overallOf(raw[0], card.calibration) * 10) / 10;
  const aspects = {} as Record<AspectId, number>;
  const unit = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000;
  card.aspects.forEach((id, i) => {
    aspects[id] = unit(raw[i + 1]);
  });
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
