import * as tf from '@tensorflow/tfjs';
import type { AspectId, Band } from '../aspects';
import type { FileDigests } from './integrity';

/** Reads one file of the model folder, by path relative to it (e.g. "backbone/model.json"). */
export type ReadModelFile = (relativePath: string) => Promise<ArrayBuffer>;

/** What `public/model/model-card.json` holds that the runtime needs. */
export interface ModelCard {
  version: string;
  aspects: AspectId[];
  /** Overall score (0–100) at or above which a photo is in a band. */
  bands: { great: number; ok: number };
  backbone: { path: string; input: [number, number]; outputs: string[] };
  /** `range`: a JSON file of per-feature {min, max} seen in training; inputs are clipped to it. */
  head: { path: string; features: number; range?: string };
  /** Head quality output values mapped to 0 and 100 (linear, clamped). */
  calibration: { lo: number; hi: number };
  /** Size and SHA-256 of every other file of the model folder, checked on load. */
  files?: FileDigests;
  [extra: string]: unknown;
}

export interface ModelBundle {
  card: ModelCard;
  backbone: tf.GraphModel;
  head: tf.LayersModel;
  /** Per-feature bounds seen in training, [F] each (absent: no clipping). */
  range?: { min: tf.Tensor1D; max: tf.Tensor1D };
}

export function bandFor(overall: number, bands: ModelCard['bands']): Band {
  if (overall >= bands.great) return 'great';
  if (overall >= bands.ok) return 'ok';
  return 'needs_work';
}
