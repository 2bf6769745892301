import type { AspectId, Band, Score } from '../aspects';
import type { ModelCard } from './bundle';

// From the head's raw outputs to what the seller sees: the quality output mapped to 0–100 by
// the model card's calibration, its band, and each aspect's severity held to 0–1.

export function bandFor(overall: number, bands: ModelCard['bands']): Band {
  if (overall >= bands.great) return 'great';
  if (overall >= bands.ok) return 'ok';
  return 'needs_work';
}

/** From the head's raw outputs (quality ≈ MOS 0–1, then one severity per aspect) to a Score. */
export function toScore(raw: ArrayLike<number>, card: ModelCard, width: number, height: number): Score {
  const { lo, hi } = card.calibration;
  const overall = Math.round(Math.min(100, Math.max(0, ((raw[0] - lo) / (hi - lo)) * 100)) * 10) / 10;
  const aspects = {} as Record<AspectId, number>;
  const unit = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000;
  card.aspects.forEach((id, i) => {
    aspects[id] = unit(raw[i + 1]);
  });
  const score: Score = { overall, band: bandFor(overall, card.bands), aspects, width, height };
  const upsideDown = card.head.extra?.indexOf('upside_down') ?? -1;
  if (upsideDown >= 0) score.upsideDown = unit(raw[1 + card.aspects.length + upsideDown]);
  return score;
}
