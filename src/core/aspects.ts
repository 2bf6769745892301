// The aspects the model rates, in the order of the head's aspect outputs.
// Adding one means retraining: the order is part of the model contract (model-card.json `aspects`).
// The first nine are rated by the step-by-step labels (tools/model/labels.ts); `sideways` is
// learned from quarter-turned copies of train photos and the labels that say a photo is stored
// turned (there scored as strong tilt): a lean needs a retake or a straighten, a turn does not.
export const LABELLED_ASPECTS = [
  'blur', // out of focus or motion blur
  'noise', // grain from high ISO / low light
  'underexposure', // too dark
  'overexposure', // blown highlights, washed out
  'low_resolution', // too few pixels, or upscaled
  'tilt', // horizon or item edges not level
  'framing', // subject too small or off-centre
  'clutter', // busy background competing with the item
  'color_cast', // unnatural tint (white balance)
] as const;

export const ASPECTS = [...LABELLED_ASPECTS, 'sideways' /* stored a quarter turn off */] as const;

export type AspectId = (typeof ASPECTS)[number];
export type LabelledAspectId = (typeof LABELLED_ASPECTS)[number];

export type Band = 'great' | 'ok' | 'needs_work';

export interface Score {
  /** 0–100, higher is better; tracks human mean opinion scores. */
  overall: number;
  band: Band;
  /** Severity 0 (fine) … 1 (severe) per aspect. */
  aspects: Record<AspectId, number>;
  /** Pixel size of the decoded, upright photo. */
  width: number;
  height: number;
  /** 64-bit difference hash of the photo (16 hex digits), to spot the same shot twice. */
  fingerprint?: string;
  /**
   * How upside down the photo looks, 0 (upright) … 1: not a reason shown to the seller, but what
   * picks the way to turn a sideways photo. Absent with a model that lacks the output.
   */
  upsideDown?: number;
  /**
   * The overall 1–5 a careful reviewer would give the photo, as the step-by-step labels do: not
   * shown, but what sets how sure the coach must be to raise a borderline reason
   * (explain/reasons.ts `raiseAt`). Absent with a model that lacks the output.
   */
  rating?: number;
}
