import type { RgbImage } from '../core/image/views';
import { measure } from '../core/measures/measures';
import type { Measurer } from '../core/measures/measurer';
import { offThread, type HelperWorker, type Outgoing } from './off-thread';
import type { MeasureApi } from './worker-api';

export type { HelperWorker as MeasureWorker } from './off-thread';

/**
 * The measurements on a second thread, so that they run while the backbone runs on this one: on
 * wasm the backbone holds its thread for its whole run, and the measurements are a third of the
 * rest of a photo's time. Every phone has a second core. The views stay here too, so that a
 * photo the worker fails is measured here (off-thread.ts).
 */
export function measureOffThread(createWorker: () => HelperWorker): Measurer {
  const helper = offThread<MeasureArg, Float32Array>(createWorker, 'measure', async ({ px, width, height }) => measure(px, width, height), movedCopies);
  return {
    measure: (px, width, height) => helper.call({ px, width, height }),
    dispose: () => helper.dispose(),
  };
}

type MeasureArg = Parameters<MeasureApi['measure']>[0];

/**
 * The views go to the worker as copies that are moved, not cloned: the browser's structured
 * clone of a photo's 3.3 MB of float views cost the calling thread about 4 ms a photo, and the
 * worker as much again to read them (a trace of the bench's page path, 32 photos); a copy and a
 * move cost well under 1 ms.
 */
const movedCopies: Outgoing<MeasureArg> = ({ px, width, height }) => {
  const copy = (img: RgbImage): RgbImage => ({ width: img.width, height: img.height, data: img.data.slice() });
  const views = { view: copy(px.view), overview: copy(px.overview), detail: copy(px.detail) };
  return { arg: { px: views, width, height }, transfer: [views.view.data.buffer, views.overview.data.buffer, views.detail.data.buffer] };
};

/** The measure worker of the built app. */
export function measurerWorker(): Measurer {
  return measureOffThread(() => new Worker(new URL('./measure.worker.ts', import.meta.url), { type: 'module', name: 'photo-coach-measure' }));
}
