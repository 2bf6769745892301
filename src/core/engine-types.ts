import type { Score } from './aspects';
import type { FixByHand, FixKind, FixPlan, FixPreview } from './fixes';

export type BackendName = 'webgl' | 'wasm' | 'cpu';

export interface EngineInfo {
  backend: BackendName;
  /** Why this backend was chosen (or why better ones were skipped), for the debug panel. */
  reason: string;
  /** Where inference runs. */
  thread: 'worker' | 'main';
  modelVersion: string;
}

/** Where the engine's memory stands (debug panel, soak benchmark). */
export interface EngineMemory {
  backend: string;
  numTensors: number;
  numBytes: number;
  /** webgl only: bytes held in textures, and textures in use / pooled for reuse. */
  numBytesInGPU?: number;
  texturesUsed?: number;
  texturesFree?: number;
  /** The JS heap of the thread that scores (Chromium only), after a GC when one can be asked for. */
  jsHeapBytes?: number;
}

/**
 * What the UI needs from the scoring engine. The engine owns decoding, the model and the worker;
 * the store only hands it files. Failures reject with a CoachError (stable `code`).
 */
export interface Engine {
  /** Resolves once the model is loaded and warmed up; rejects with MODEL_LOAD_FAILED. */
  ready: Promise<EngineInfo>;
  /** Scores one photo. Aborting the signal cancels a queued or running job (rejects CANCELLED). */
  score(file: Blob, options?: { signal?: AbortSignal; onStart?: () => void }): Promise<Score>;
  /**
   * A preview of `fixes` on the photo (src/core/fix), scored by the same model; queued like a
   * score. `hand`: what the seller set (a turn, a crop); `aspect`: the site's crop shape.
   */
  fix(file: Blob, fixes: FixKind[], options?: { signal?: AbortSignal; hand?: FixByHand; aspect?: number }): Promise<FixPreview>;
  /** The kept fix at full resolution: a JPEG of at most `maxBytes`, without metadata. */
  render(file: Blob, plan: FixPlan, maxBytes: number, options?: { signal?: AbortSignal }): Promise<Blob>;
  /** Memory of the thread that scores, once ready. */
  memory?(): Promise<EngineMemory>;
  dispose(): void;
}
