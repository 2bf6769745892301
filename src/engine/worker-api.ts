import type { Score } from '../core/aspects';
import type { BackendName, EngineInfo, EngineMemory } from '../core/engine-types';
import type { FixByHand, FixKind, FixPlan, FixPreview } from '../core/fixes';
import type { MeasuredPixels } from '../core/measures/measures';
import type { Decoded } from '../core/image/decode-browser';

// What each worker answers, over the typed RPC of rpc.ts.
//
// The scoring worker: what the page may ask it. Photos cross either as Blobs (structured clone
// shares the bytes; the worker decodes, off the page's thread) or as ImageBitmaps the caller
// already decoded, transferred (not copied).

export type PhotoInput =
  | {
      blob: Blob;
      /** The engine's id for this photo, and the photo queued after it: decoded while this one scores. */
      id?: number;
      next?: { id: number; blob: Blob };
    }
  | { bitmap: ImageBitmap; width: number; height: number };

export type ScoringApi = {
  /** Whether this worker can draw WebGL2 on an OffscreenCanvas (tfjs's webgl backend needs it). */
  probe(arg: undefined): Promise<{ offscreenWebgl2: boolean }>;
  init(arg: { modelUrl: string; backends: BackendName[]; softwareWebgl?: 'skip' | 'use' }): Promise<Omit<EngineInfo, 'thread'>>;
  score(arg: PhotoInput): Promise<Score>;
  /** A fix's preview on work-size pixels, scored (src/core/fix). */
  fix(arg: { blob: Blob; fixes: FixKind[]; hand?: FixByHand; aspect?: number }): Promise<FixPreview>;
  /** A kept fix at full resolution: a JPEG of at most `maxBytes`. */
  render(arg: { blob: Blob; plan: FixPlan; maxBytes: number }): Promise<Blob>;
  memory(arg: undefined): Promise<EngineMemory>;
};

/**
 * The measure worker, beside the thread that runs the backbone: the measurements of one photo's
 * views — copies of them, moved to it and moved back with the answer, so that the caller keeps
 * its own to measure itself should the worker fail, and fills the same arrays for the next photo.
 */
export type MeasureApi = {
  measure(arg: { px: MeasuredPixels; width: number; height: number }): Promise<{ values: Float32Array; views: Float32Array[] }>;
};

/**
 * The decode worker, beside the scoring worker: the photo queued next, decoded while the current
 * one's backbone holds the scoring worker's thread (its bitmap is moved back, not copied).
 */
export type DecodeApi = {
  decode(arg: { blob: Blob }): Promise<Decoded>;
};
