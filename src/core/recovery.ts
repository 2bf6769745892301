import { isCoachError, type ErrorCode } from './errors';

// The recovery ladder: every fault met while loading or scoring, recognised by its error code
// (never by a message), and the one step taken next. Each step is tried once; past it, the
// fault reaches the seller as that photo's message, or as the engine's (with "Try again").
//
//   loading   a backend cannot start or run the warm-up  BACKEND_FAILED   → the next backend (webgl → wasm → cpu)
//             the model cannot be fetched or verified    MODEL_LOAD_FAILED → the engine fails
//             the worker cannot start, or has no WebGL    (any but MODEL_LOAD_FAILED) → the page's thread
//   a photo   the worker died                            WORKER_CRASHED   → a fresh worker, the photo again
//             the WebGL context was lost                 CONTEXT_LOST     → the next backend, the photo again
//             the measure worker failed                  (any)            → measured on the scoring thread
//             anything else (a broken file…)                              → that photo fails, the rest go on
//
// ARCHITECTURE.md lists where each step is taken.

const codeOf = (e: unknown): ErrorCode => (isCoachError(e) ? e.code : 'INTERNAL');

/** While loading on one backend: try the next, unless the model itself cannot be had. */
export function onLoadFault(e: unknown): 'next-backend' | 'fail-engine' {
  return codeOf(e) === 'MODEL_LOAD_FAILED' ? 'fail-engine' : 'next-backend';
}

/**
 * The scoring worker could not start or lacks what the first backend needs: the page's own
 * thread takes over, unless a worker was asked for or the model itself failed (the page would
 * fail the same way).
 */
export function onWorkerStartFault(e: unknown, workerForced: boolean): 'page-thread' | 'fail-engine' {
  return workerForced || codeOf(e) === 'MODEL_LOAD_FAILED' ? 'fail-engine' : 'page-thread';
}

/** A photo failed while scoring, on its `attempt`-th try (0 first): what to do with it. */
export function onPhotoFault(e: unknown, attempt: number): 'fresh-worker' | 'next-backend' | 'fail-photo' {
  if (attempt > 0) return 'fail-photo';
  switch (codeOf(e)) {
    case 'WORKER_CRASHED':
      return 'fresh-worker';
    case 'CONTEXT_LOST':
      return 'next-backend';
    default:
      return 'fail-photo';
  }
}
