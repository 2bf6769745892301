import type { Score } from '../aspects';
import type { FixKind, FixPlan } from '../fixes';
import type { Pixels } from '../image/views';
import { applyPlan, planFixes, turnPixels, type PlanOptions } from './plan';
import { keptShare, leans, MAX_STRAIGHTEN, MIN_STRAIGHTEN, straightenPixels } from './straighten';

// A fix on a photo's work-size pixels, scored by the model: the same steps in the browser
// (fix-browser.ts) and in Node (tools/model/fix-evidence.ts), with the model passed in.

/** Scores pixels; `size` is the photo's full size (after any turn), for the size-aware checks. */
export type ScorePixels = (px: Pixels, size: { width: number; height: number }) => Promise<Score>;

export const turnedSize = (w: number, h: number, q: number) => (q % 2 ? { width: h, height: w } : { width: w, height: h });

/** A photo's size after the plan's turn and straighten (the largest upright crop), in whole pixels. */
export function fixedSize(width: number, height: number, plan: Pick<FixPlan, 'quarterTurns' | 'straighten'>): { width: number; height: number } {
  const turned = turnedSize(width, height, plan.quarterTurns);
  const kept = plan.straighten ? keptShare(turned.width, turned.height, plan.straighten) : 1;
  return { width: Math.max(1, Math.round(turned.width * kept)), height: Math.max(1, Math.round(turned.height * kept)) };
}

/**
 * Which quarter turn puts a sideways photo upright. The model's sideways severity says a photo
 * lies on its side, not which side: both turns are scored, and one of them is upside down. The
 * model's upside-down output tells them apart (trained on half-turned train photos); a model
 * without it falls back on the less sideways and better of the two.
 */
export async function uprightTurn(score: ScorePixels, px: Pixels, size: { width: number; height: number }): Promise<1 | 3> {
  const judged = async (q: 1 | 3) => {
    const s = await score(turnPixels(px, q), turnedSize(size.width, size.height, q));
    return s.upsideDown ?? s.aspects.sideways - s.overall / 100;
  };
  const [one, three] = [await judged(1), await judged(3)];
  return one <= three ? 1 : 3;
}

/** The model's tilt severity must drop by this much for a straighten to be worth its crop. */
const MIN_TILT_GAIN = 0.03;

/**
 * Which angle to straighten by: the lines' strongest leans are candidates (a real photo's are
 * rarely one clear peak), and the model picks the one after which it finds the photo least
 * tilted — provided it finds it less tilted than as it is. 0: leave it.
 */
export async function levelAngle(score: ScorePixels, px: Pixels, size: { width: number; height: number }): Promise<number> {
  let best = 0;
  let bestTilt = (await score(px, size)).aspects.tilt - MIN_TILT_GAIN;
  for (const lean of leans(px, 3)) {
    const angle = -lean.degrees;
    if (Math.abs(angle) < MIN_STRAIGHTEN || Math.abs(angle) > MAX_STRAIGHTEN) continue;
    const tilt = (await score(straightenPixels(px, angle), fixedSize(size.width, size.height, { quarterTurns: 0, straighten: angle }))).aspects.tilt;
    if (tilt < bestTilt) {
      best = angle;
      bestTilt = tilt;
    }
  }
  return best;
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
  options?: PlanOptions,
): Promise<{ plan: FixPlan; fixed: Pixels; score: Score }> {
  const turns = quarterTurns ?? (fixes.includes('turn') ? await uprightTurn(score, px, size) : 0);
  const turned = turns ? turnPixels(px, turns) : px;
  const straighten = fixes.includes('straighten') ? await levelAngle(score, turned, turnedSize(size.width, size.height, turns)) : undefined;
  const plan = planFixes(px, turns ? [...new Set<FixKind>(['turn', ...fixes])] : fixes, turns, options, straighten);
  const fixed = applyPlan(px, plan);
  return { plan, fixed, score: await score(fixed, fixedSize(size.width, size.height, plan)) };
}
