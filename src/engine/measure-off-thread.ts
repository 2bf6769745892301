import { measure } from '../core/measures/measures';
import type { Measurer } from '../core/measures/measurer';
import { offThread, type HelperWorker } from './off-thread';
import type { MeasureApi } from './worker-api';

export type { HelperWorker as MeasureWorker } from './off-thread';

/**
 * The measurements on a second thread, so that they run while the backbone runs on this one: on
 * wasm the backbone holds its thread for its whole run, and the measurements are a third of the
 * rest of a photo's time. Every phone has a second core. The views are copied to the worker, not
 * moved, so that a photo the worker fails is measured here (off-thread.ts).
 */
export function measureOffThread(createWorker: () => HelperWorker): Measurer {
  const helper = offThread<Parameters<MeasureApi['measure']>[0], Float32Array>(createWorker, 'measure', async ({ px, width, height }) => measure(px, width, height));
  return {
    measure: (px, width, height) => helper.call({ px, width, height }),
    dispose: () => helper.dispose(),
  };
}

/** The measure worker of the built app. */
export function measurerWorker(): Measurer {
  return measureOffThread(() => new Worker(new URL('./measure.worker.ts', import.meta.url), { type: 'module', name: 'photo-coach-measure' }));
}
