import type { AspectId, Score } from './aspects';

// The one-tap fixes: defects a seller need not retake. Each answers one aspect, and they
// combine in one fixed order, so a photo fixed for two reasons always comes out the same.

export const FIX_ORDER = ['turn', 'straighten', 'colour', 'exposure', 'crop'] as const;
export type FixKind = (typeof FIX_ORDER)[number];

/** The aspect each fix answers. */
export const FIX_FOR_ASPECT: Partial<Record<AspectId, FixKind>> = {
  sideways: 'turn',
  tilt: 'straighten',
  color_cast: 'colour',
  underexposure: 'exposure',
  framing: 'crop',
};

/**
 * The fixes the coach offers (src/core/fix). Straighten is built and measured but not offered
 * (the seller straightens by hand on a photo the coach finds tilted, src/ui/FixPanel.tsx):
 * on the train photos labelled tilted it raised the score and lowered tilt on 9 of 193
 * (`npm run fix-evidence -- --only straighten --positives`): real photos' lines seldom agree on
 * one lean. Crop to the item is where the seller's Crop starts, and not offered from the reasons:
 * on the train photos labelled badly framed it found a crop the model framed better on 32 of
 * 1,358 (`npm run fix-evidence -- --only crop --positives`), and 16 of those keep a whole item
 * by eye; most such photos are cut off or have no subject, which no crop mends.
 */
export const AVAILABLE_FIXES: readonly FixKind[] = ['turn', 'colour', 'exposure'];

export const isFixKind = (x: unknown): x is FixKind => (FIX_ORDER as readonly unknown[]).includes(x);

/** The fixes for a photo's reasons (aspect ids), in the order they combine. */
export function fixesFor(reasons: readonly AspectId[]): FixKind[] {
  const wanted = new Set(reasons.map((a) => FIX_FOR_ASPECT[a]).filter((f): f is FixKind => !!f && AVAILABLE_FIXES.includes(f)));
  return FIX_ORDER.filter((f) => wanted.has(f));
}

/** What a fix does to a photo, computed from the photo itself at work size (src/core/fix/plan.ts). */
export interface FixPlan {
  fixes: FixKind[];
  /** Clockwise quarter turns. */
  quarterTurns: 0 | 1 | 2 | 3;
  /** Degrees to turn the (quarter-turned) photo by, counter-clockwise as seen, keeping the largest upright crop (0: none). */
  straighten: number;
  /** Per-channel gains (white balance), applied before the tone curve. */
  gains: [number, number, number];
  /**
   * Black and white points after the gains, 0–255, stretched to 0 and 255 (absent: none): the
   * contrast a cast's haze or dim lamp light took, given back with the neutral colour.
   */
  levels?: [number, number];
  /** A tone curve, 256 values 0–255 (empty: none). */
  curve: number[];
  /** The part of the turned and straightened photo kept, as shares of it (null: all of it). */
  crop: CropBox | null;
}

/** A rectangle as shares (0–1) of a photo's width and height, from its top left. */
export interface CropBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the seller set by hand, replacing what the coach would choose. */
export interface FixByHand {
  /** Clockwise quarter turns. */
  quarterTurns?: FixPlan['quarterTurns'];
  /** The crop, on the photo as turned and straightened, at the site's crop shape. */
  crop?: HandCrop;
  /** Where a crop asked for starts when the locator finds no item to crop to (a crop by hand). */
  cropIfNoItem?: HandCrop;
  /** Degrees to straighten by, counter-clockwise as seen (0: not at all). */
  straighten?: number;
  /** Where a straighten asked for starts when the model finds no angle that levels the photo (a straighten by hand). */
  straightenIfNone?: number;
}

/** Leans past this are not a tilt to straighten (a diagonal subject, a dutch angle), by the coach or by hand. */
export const MAX_STRAIGHTEN = 12;

/** One step of a straighten by hand, degrees. */
export const STRAIGHTEN_STEP = 1;

/**
 * A straighten by hand one step further counter-clockwise (+1) or clockwise (−1), to a tenth of
 * a degree, never past the straighten's reach (null: the step would pass it).
 */
export function stepStraighten(degrees: number, by: 1 | -1): number | null {
  const next = Math.round((degrees + by * STRAIGHTEN_STEP) * 10) / 10;
  return Math.abs(next) > MAX_STRAIGHTEN ? null : next;
}

/** A crop set by hand: its size as a share of the largest crop of the site's shape that fits, and its centre as shares of the photo. */
export interface HandCrop {
  size: number;
  cx: number;
  cy: number;
}

/** The listing site's crop shape (width / height), set through the SDK: square, as thumbnails are. */
export const DEFAULT_CROP_ASPECT = 1;
/** Crop shapes the SDK accepts, from a tall 1:4 to a wide 4:1. */
export const CROP_ASPECT_RANGE: [number, number] = [0.25, 4];

/** A fix to look at before keeping it: its plan, the fixed photo's score, a work-size JPEG. */
export interface FixPreview {
  plan: FixPlan;
  /** The size of the photo turned and straightened, in pixels: what `plan.crop` is a share of. */
  frame: { width: number; height: number };
  score: Score;
  preview: Blob;
}

// A crop by hand, in boxAt's terms (src/core/fix/crop.ts): the tile moves and resizes it in steps.

/** The smallest crop by hand, as a share of the largest crop of the site's shape. */
const MIN_HAND_CROP = 0.2;

/** A box as a crop by hand (boxAt's terms), to move or resize it from where it is. */
export function handCropOf(box: CropBox, frame: { width: number; height: number }, aspect: number): HandCrop {
  const fits = Math.min(frame.width, frame.height * aspect);
  return { size: Math.min(1, (box.width * frame.width) / fits), cx: box.x + box.width / 2, cy: box.y + box.height / 2 };
}

export type CropNudge = 'tighter' | 'wider' | 'left' | 'right' | 'up' | 'down';

/** One step of a crop by hand: a sixth smaller or bigger, or a tenth of its size over; never past the photo's edges (boxAt holds it). */
export function nudgeCrop(c: HandCrop, nudge: CropNudge): HandCrop {
  const step = c.size / 10;
  switch (nudge) {
    case 'tighter':
      return { ...c, size: Math.max(MIN_HAND_CROP, c.size * (5 / 6)) };
    case 'wider':
      return { ...c, size: Math.min(1, c.size * (6 / 5)) };
    case 'left':
      return { ...c, cx: Math.max(0, c.cx - step) };
    case 'right':
      return { ...c, cx: Math.min(1, c.cx + step) };
    case 'up':
      return { ...c, cy: Math.max(0, c.cy - step) };
    case 'down':
      return { ...c, cy: Math.min(1, c.cy + step) };
  }
}
