// The aspects the model rates, in the order of the head's aspect outputs.
// Adding one means retraining: the order is part of the model contract (model-card.json `aspects`).
export const ASPECTS = [
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

export type AspectId = (typeof ASPECTS)[number];

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
}
