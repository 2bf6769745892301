import { measure, type MeasuredPixels } from '../core/measures/measures';
import type { Measurer } from '../core/measures/measurer';
import { CoachError } from '../core/errors';
import { connect, type Client, type Endpoint } from './rpc';
import type { MeasureApi } from './worker-api';

/** The part of a Worker this needs. */
export interface MeasureWorker extends Endpoint {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}

/**
 * The measurements on a second thread, so that they run while the backbone runs on this one: on
 * wasm the backbone holds its thread for its whole run, and the measurements are a third of the
 * rest of a photo's time. Every phone has a second core. Same code, same numbers as
 * `measureHere`. The views are copied to the worker, not moved: should it fail to start, fail a
 * photo or die, that photo is measured here, and after a death every later one too (the
 * recovery ladder, core/recovery.ts).
 */
export function measureOffThread(createWorker: () => MeasureWorker): Measurer {
  let worker: MeasureWorker | null = null;
  let rpc: Client<MeasureApi> | null = null;
  let broken = false; // set once the worker cannot start or has died
  const here = (px: MeasuredPixels, width: number, height: number) => measure(px, width, height);
  const stop = (why: string) => {
    broken = true;
    worker?.terminate();
    rpc?.close(new CoachError('WORKER_CRASHED', `the measure worker stopped: ${why}`, { userFacing: false }));
    worker = null;
    rpc = null;
  };
  const start = (): Client<MeasureApi> | null => {
    if (rpc || broken) return rpc;
    try {
      worker = createWorker();
    } catch {
      broken = true;
      return null;
    }
    rpc = connect<MeasureApi>(worker);
    worker.addEventListener('error', (e: ErrorEvent) => {
      e.preventDefault();
      stop(e.message || 'unknown error');
    });
    return rpc;
  };
  return {
    async measure(px, width, height) {
      const client = start();
      if (!client) return here(px, width, height);
      try {
        return await client.call('measure', { px, width, height });
      } catch {
        return here(px, width, height);
      }
    },
    dispose() {
      stop('disposed');
    },
  };
}

/** The measure worker of the built app. */
export function measurerWorker(): Measurer {
  return measureOffThread(() => new Worker(new URL('./measure.worker.ts', import.meta.url), { type: 'module', name: 'photo-coach-measure' }));
}
