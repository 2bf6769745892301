import type { Score } from '../aspects';
import { DEFAULT_CROP_ASPECT, FIX_ORDER, MAX_STRAIGHTEN, type CropBox, type FixByHand, type FixKind, type FixPlan } from '../fixes';
import type { Pixels } from '../image/views';
import { CoachError, isCoachError } from '../errors';
import type { Detection } from '../model/locator';
import { boxAt, cropAround, cropPixels, cropRect, locateItem } from './crop';
import { applyPlan, channelLuts, DEFAULT_PLAN_OPTIONS, planFixes, shapePixels, turnPixels, type PlanOptions } from './plan';
import { keptShare, leans, MIN_STRAIGHTEN, straightenPixels } from './straighten';

// A fix on a photo's work-size pixels, scored by the model: the same steps in the browser
// (fix-browser.ts) and in Node (tools/model/fix-evidence.ts), with the model passed in.

/** Scores pixels; `size` is the photo's full size (after any turn), for the size-aware checks. */
export type ScorePixels = (px: Pixels, size: { width: number; height: number }) => Promise<Score>;

/** Where the model's item locator finds items in the pixels (src/core/model/locator.ts). */
export type LocatePixels = (px: Pixels) => Promise<Detection[]>;

/** The models a fix asks: the scorer, and the item locator for a crop. */
export interface FixModels {
  score: ScorePixels;
  locate?: LocatePixels;
}

export const turnedSize = (w: number, h: number, q: number) => (q % 2 ? { width: h, height: w } : { width: w, height: h });

/** A photo's size after the plan's turn and straighten (the largest upright crop), in whole pixels. */
export function shapedSize(width: number, height: number, plan: Pick<FixPlan, 'quarterTurns' | 'straighten'>): { width: number; height: number } {
  const turned = turnedSize(width, height, plan.quarterTurns);
  const kept = plan.straighten ? keptShare(turned.width, turned.height, plan.straighten) : 1;
  return { width: Math.max(1, Math.round(turned.width * kept)), height: Math.max(1, Math.round(turned.height * kept)) };
}

/** A photo's size after the whole plan: turned, straightened, then cropped. */
export function fixedSize(width: number, height: number, plan: Pick<FixPlan, 'quarterTurns' | 'straighten'> & { crop?: CropBox | null }): { width: number; height: number } {
  const shaped = shapedSize(width, height, plan);
  if (!plan.crop) return shaped;
  const { width: w, height: h } = cropRect(plan.crop, shaped.width, shaped.height);
  return { width: w, height: h };
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
export async function levelAngle(score: ScorePixels, px: Pixels, size: { width: number; height: number }, angles: readonly number[] = []): Promise<number> {
  let best = 0;
  let bestTilt = (await score(px, size)).aspects.tilt - MIN_TILT_GAIN;
  for (const angle of [...leans(px, 3).map((l) => -l.degrees), ...angles]) {
    if (Math.abs(angle) < MIN_STRAIGHTEN || Math.abs(angle) > MAX_STRAIGHTEN) continue;
    const tilt = (await score(straightenPixels(px, angle), fixedSize(size.width, size.height, { quarterTurns: 0, straighten: angle }))).aspects.tilt;
    if (tilt < bestTilt) {
      best = angle;
      bestTilt = tilt;
    }
  }
  return best;
}

/** The model's framing severity must drop by this much for a crop to be worth what it leaves out. */
const MIN_FRAMING_GAIN = 0.03;
/** The margins tried around the located item, as shares of its longer side. */
const CROP_MARGINS = [0.06, 0.12, 0.2];

/**
 * Which crop to offer: the item where the locator finds it (crop.ts), with a few margins, at the
 * site's aspect; the model picks the one after which it finds the framing best — provided it
 * finds the framing better than as it is and does not score the photo lower. null: leave it.
 */
export async function itemCrop({ score, locate }: FixModels, px: Pixels, size: { width: number; height: number }, aspect: number, minScore?: number): Promise<CropBox | null> {
  if (!locate) throw new CoachError('MODEL_LOAD_FAILED', 'a crop to the item needs the item locator');
  const item = locateItem(px, await locate(px), minScore);
  if (!item) return null;
  const before = await score(px, size);
  let best: CropBox | null = null;
  let bestFraming = before.aspects.framing - MIN_FRAMING_GAIN;
  for (const margin of CROP_MARGINS) {
    const crop = cropAround(item, size, aspect, margin);
    if (!crop) continue;
    const after = await score(cropPixels(px, crop), cropRect(crop, size.width, size.height));
    if (after.aspects.framing < bestFraming && after.overall >= before.overall) {
      best = crop;
      bestFraming = after.aspects.framing;
    }
  }
  return best;
}

/**
 * The settings the model picks among besides `base`: every combination of two settings' listed
 * values (a setting without a list keeps its value in `base`), `base` itself left out.
 */
function otherChoices<T, A extends keyof T, B extends keyof T>(base: T, [a, as]: [A, T[A][] | undefined], [b, bs]: [B, T[B][] | undefined]): T[] {
  const combinations = (bs ?? [base[b]]).flatMap((y) => (as ?? [base[a]]).map((x) => ({ ...base, [a]: x, [b]: y })));
  return combinations.filter((o) => o[a] !== base[a] || o[b] !== base[b]);
}

export interface FixOptions {
  /** What the seller set by hand (a turn, a straighten, a crop): it replaces the model's choice and adds its fix. */
  hand?: FixByHand;
  /** The listing site's crop shape, width / height. */
  aspect?: number;
  plan?: PlanOptions;
  /** Angles a straighten also tries besides the lines' leans (fix-evidence tries grids). */
  angles?: number[];
  /** The locator score a crop takes as an item (default DETECTED; fix-evidence tries others). */
  minItemScore?: number;
}

/** The plan for `fixes`, the fixed pixels and their score, and the frame a crop is a share of. */
export async function fixPixels(
  models: FixModels,
  px: Pixels,
  size: { width: number; height: number },
  fixes: readonly FixKind[],
  { hand = {}, aspect = DEFAULT_CROP_ASPECT, plan: options, minItemScore, angles }: FixOptions = {},
): Promise<{ plan: FixPlan; fixed: Pixels; score: Score; frame: { width: number; height: number } }> {
  const { score } = models;
  const wanted = new Set(fixes);
  if (hand.quarterTurns) wanted.add('turn');
  if (hand.crop) wanted.add('crop');
  if (hand.straighten) wanted.add('straighten');
  const turns = hand.quarterTurns ?? (wanted.has('turn') ? await uprightTurn(score, px, size) : 0);
  if (turns) wanted.add('turn');
  const turned = turns ? turnPixels(px, turns) : px;
  // the seller's angle, else the model's; where the model finds none, the seller's straighten starts from straightenIfNone
  const modelAngle = hand.straighten === undefined && wanted.has('straighten') ? await levelAngle(score, turned, turnedSize(size.width, size.height, turns), angles) : undefined;
  const straighten = hand.straighten ?? (modelAngle === 0 && hand.straightenIfNone !== undefined ? hand.straightenIfNone : modelAngle);
  const shape = { quarterTurns: turns, straighten: straighten ?? 0 };
  const frame = shapedSize(size.width, size.height, shape);
  let crop = hand.crop && boxAt(frame, aspect, hand.crop.size, hand.crop.cx, hand.crop.cy);
  if (!crop && wanted.has('crop')) {
    // a locator that cannot be loaded costs only the crop to the item: the seller's crop still starts
    const located = await itemCrop(models, shapePixels(px, shape), frame, aspect, minItemScore).catch((e) => {
      if (hand.cropIfNoItem && isCoachError(e) && e.code === 'MODEL_LOAD_FAILED') return null;
      throw e;
    });
    crop = located ?? (hand.cropIfNoItem && boxAt(frame, aspect, hand.cropIfNoItem.size, hand.cropIfNoItem.cx, hand.cropIfNoItem.cy));
    if (!crop) wanted.delete('crop');
  }
  const choices = { quarterTurns: turns, straighten, crop };
  const planned = (o?: PlanOptions) =>
    planFixes(
      px,
      FIX_ORDER.filter((f) => wanted.has(f)),
      choices,
      o,
    );
  const finished = async (plan: FixPlan, scored?: Score) => {
    const fixed = applyPlan(px, plan);
    return { plan, fixed, frame: shapedSize(size.width, size.height, plan), score: scored ?? (await score(fixed, fixedSize(size.width, size.height, plan))) };
  };
  // how far to brighten and to neutralise is the model's call (lifting a dark photo also lifts its
  // noise): each other brighten (target, black point) and each other white balance (strength,
  // stretch) the options list is tried with the other fix as it is by default, and kept where the
  // model scores it better and finds its defect lower than before the fix
  const all = options ?? DEFAULT_PLAN_OPTIONS;
  const variants: { options: PlanOptions; aspect: 'underexposure' | 'color_cast' }[] = [
    ...(wanted.has('exposure') ? otherChoices({ ...all.exposure, blackPoint: !!all.exposure.blackPoint }, ['targetMedian', all.exposure.targets], ['blackPoint', all.exposure.blackPoints]) : []).map(
      (exposure) => ({ options: { ...all, exposure }, aspect: 'underexposure' as const }),
    ),
    ...(wanted.has('colour') ? otherChoices({ ...all.colour, stretch: !!all.colour.stretch }, ['strength', all.colour.strengths], ['stretch', all.colour.stretches]) : []).map((colour) => ({
      options: { ...all, colour },
      aspect: 'color_cast' as const,
    })),
  ];
  if (!variants.length) return finished(planned(options));
  const before = (await score(px, size)).aspects;
  // each try is drawn into the same buffer: the preview holds one work-size copy, not one per try
  let scratch: Uint8ClampedArray | undefined;
  const tryPlan = async (plan: FixPlan) => {
    const fixed = applyPlan(px, plan, scratch);
    if (!plan.crop) scratch = fixed.data as Uint8ClampedArray;
    return score(fixed, fixedSize(size.width, size.height, plan));
  };
  // a try whose tables are one already scored draws the same pixels (a photo with no lifted
  // black, nothing to stretch, a strength too small to change a level): it is not scored again
  const tablesOf = (plan: FixPlan) => channelLuts(plan).join('|');
  let best = { plan: planned(all), score: undefined as Score | undefined };
  best.score = await tryPlan(best.plan);
  const scored = new Set([tablesOf(best.plan)]);
  for (const v of variants) {
    const plan = planned(v.options);
    const tables = tablesOf(plan);
    if (scored.has(tables)) continue;
    scored.add(tables);
    const tried = await tryPlan(plan);
    if (tried.overall > best.score!.overall && tried.aspects[v.aspect] < before[v.aspect]) best = { plan, score: tried };
  }
  return finished(best.plan, best.score);
}
