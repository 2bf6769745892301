import type { Score } from '../core/aspects';
import type { BackendName, EngineInfo, EngineMemory } from '../core/engine-types';

// What the page may ask the scoring worker. Photos cross either as Blobs (structured clone
// shares the bytes; the worker decodes, off the page's thread) or as ImageBitmaps the caller
// already decoded, transferred (not copied).

export type PhotoInput = { blob: Blob } | { bitmap: ImageBitmap; width: number; height: number };

export type ScoringApi = {
  /** Whether this worker can draw WebGL2 on an OffscreenCanvas (tfjs's webgl backend needs it). */
  probe(arg: undefined): Promise<{ offscreenWebgl2: boolean }>;
  init(arg: { modelUrl: string; backends: BackendName[]; softwareWebgl?: 'skip' | 'use' }): Promise<Omit<EngineInfo, 'thread'>>;
  score(arg: PhotoInput): Promise<Score>;
  memory(arg: undefined): Promise<EngineMemory>;
};
