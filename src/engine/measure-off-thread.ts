import type { RgbImage } from '../core/image/views';
import { measure } from '../core/measures/measures';
import type { Measurer } from '../core/measures/measurer';
import { type FloatPool, floatPool } from '../core/image/float-pool';
import { offThread, type HelperWorker } from './off-thread';
import type { MeasureApi } from './worker-api';

export type { HelperWorker as MeasureWorker } from './off-thread';

/**
 * The measurements on a second thread, so that they run while the backbone runs on this one: on
 * wasm the backbone holds its thread for its whole run, and the measurements are a third of the
 * rest of a photo's time. Every phone has a second core. The views stay here too, so that a
 * photo the worker fails is measured here (off-thread.ts).
 */
export function measureOffThread(createWorker: () => HelperWorker): Measurer {
  const spare = floatPool();
  const helper = offThread<MeasureArg, Measured>(
    createWorker,
    'measure',
    async ({ px, width, height }) => ({ values: measure(px, width, height), views: [] }),
    (arg) => movedCopies(arg, spare),
  );
  return {
    async measure(px, width, height) {
      const { values, views } = await helper.call({ px, width, height });
      for (const v of views) spare.give(v);
      return values;
    },
    dispose: () => helper.dispose(),
  };
}

type MeasureArg = Parameters<MeasureApi['measure']>[0];
type Measured = Awaited<ReturnType<MeasureApi['measure']>>;

/**
 * The views go to the worker as copies that are moved, not cloned, and come back with the
 * answer for the next photo's copies. The browser's structured clone of a photo's 3.3 MB of
 * float views costs the calling thread about 4.5 ms, before the backbone can start, and the
 * worker as much again to read them; copying them into kept arrays and moving them, 0.3 ms
 * (`npm run bench:profile`).
 */
function movedCopies({ px, width, height }: MeasureArg, spare: FloatPool): { arg: MeasureArg; transfer: Transferable[] } {
  const copy = (img: RgbImage): RgbImage => {
    const data = spare.take(img.data.length);
    data.set(img.data);
    return { width: img.width, height: img.height, data };
  };
  const views = { view: copy(px.view), overview: copy(px.overview), detail: copy(px.detail) };
  return { arg: { px: views, width, height }, transfer: [views.view.data.buffer, views.overview.data.buffer, views.detail.data.buffer] };
}

/** The measure worker of the built app. */
export function measurerWorker(): Measurer {
  return measureOffThread(() => new Worker(new URL('./measure.worker.ts', import.meta.url), { type: 'module', name: 'photo-coach-measure' }));
}
