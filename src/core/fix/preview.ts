import type { Score } from '../aspects';
import type { FixKind, FixPlan } from '../fixes';
import type { Pixels } from '../image/views';
import { applyPlan, planFixes, turnPixels } from './plan';

// A fix on a photo's work-size pixels, scored by the model: the same steps in the browser
// (fix-browser.ts) and in Node (tools/model/fix-evidence.ts), with the model passed in.

/** Scores pixels; `size` is the photo's full size (after any turn), for the size-aware checks. */
export type ScorePixels = (px: Pixels, size: { width: number; height: number }) => Promise<Score>;

export const turnedSize = (w: number, h: number, q: number) => (q % 2 ? { width: h, height: w } : { width: w, height: h });

/**
 * Which quarter turn puts a sideways photo upright. The model's sideways severity says a photo
 * lies on its side, not which side: both turns are scored, and the one the model finds less
 * sideways and better wins (upside down is rarer in listings and reads as worse).
 */
export async function uprightTurn(score: ScorePixels, px: Pixels, size: { width: number; height: number }): Promise<1 | 3> {
  const judged = async (q: 1 | 3) => {
    const s = await score(turnPixels(px, q), turnedSize(size.width, size.height, q));
    return s.aspects.sideways - s.overall / 100;
  };
  const [one, three] = [await judged(1), await judged(3)];
  return one <= three ? 1 : 3;
}

/**
 * The plan for `fixes`, the fixed pixels and their score. `quarterTurns`, when given, is the
 * seller's own turn (by hand): it replaces the model's choice.
 */
export async function fixPixels(
  score: ScorePixels,
  px: Pixels,
  size: { width: number; height: number },
  fixes: readonly FixKind[],
  quarterTurns?: FixPlan['quarterTurns'],
): Promise<{ plan: FixPlan; fixed: Pixels; score: Score }> {
  const turns = quarterTurns ?? (fixes.includes('turn') ? await uprightTurn(score, px, size) : 0);
  const plan = planFixes(px, turns ? [...new Set<FixKind>(['turn', ...fixes])] : fixes, turns);
  const fixed = applyPlan(px, plan);
  return { plan, fixed, score: await score(fixed, turnedSize(size.width, size.height, plan.quarterTurns)) };
}
