import type { ModelCard } from '../../src/core/model/bundle';

// How many points a photo lying on its side should lose. The quality output learned from ratings
// people gave to photos shown upright, so it cannot see a turn. The step-by-step labels saw each
// photo as its file stores it, sideways where a camera stored it so: on the labelled train photos
// they rate a sideways photo below upright photos that score the same. The penalty is that gap,
// measured the conservative way round: each sideways photo against the mean score of the upright
// photos its label rates the same (overall 1–5), so the noise in the score does not inflate it.

/** The sideways severities between which the penalty grows from none to all (0.35: the flag). */
export const SIDEWAYS_PENALTY_RAMP = { from: 0.25, to: 0.35 } as const;

export interface PenaltyPhoto {
  /** The 0–100 score the quality output gives the photo as judged (as stored), no penalty. */
  score: number;
  /** The label's overall, 1–5. */
  overall: number;
  /** Whether the label says the photo lies on its side. */
  sideways: boolean;
}

export interface SidewaysPenaltyFit {
  penalty: NonNullable<ModelCard['penalty']>;
  /** Sideways photos matched to an upright overall, and the upright photos they were matched among. */
  sidewaysPhotos: number;
  uprightPhotos: number;
}

/**
 * The mean over labelled sideways photos of their score minus the mean score of the upright
 * photos with the same overall; none where that is not positive. Sideways photos whose overall no
 * upright photo shares are left out.
 */
export function fitSidewaysPenalty(photos: PenaltyPhoto[]): SidewaysPenaltyFit {
  const byOverall = new Map<number, { sum: number; n: number }>();
  const upright = photos.filter((p) => !p.sideways);
  for (const p of upright) {
    const m = byOverall.get(p.overall) ?? { sum: 0, n: 0 };
    m.sum += p.score;
    m.n++;
    byOverall.set(p.overall, m);
  }
  const gaps = photos.flatMap((p) => {
    const m = p.sideways ? byOverall.get(p.overall) : undefined;
    return m ? [p.score - m.sum / m.n] : [];
  });
  if (!gaps.length) throw new Error('sideways penalty: no labelled sideways photo shares an overall with an upright one');
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const points = Math.round(Math.max(0, mean) * 10) / 10;
  return { penalty: { sideways: { points, ...SIDEWAYS_PENALTY_RAMP } }, sidewaysPhotos: gaps.length, uprightPhotos: upright.length };
}
