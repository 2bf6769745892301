import { measure, type MeasuredPixels } from './measures';

/** Computes the measurements of one photo's views (`measures.ts`), here or on another thread. */
export interface Measurer {
  measure(px: MeasuredPixels, width: number, height: number): Promise<Float32Array>;
  dispose(): void;
}

/** On the calling thread: Node's, and wherever no worker can start. */
export const measureHere: Measurer = {
  measure: async (px, width, height) => measure(px, width, height),
  dispose() {},
};

interface Job {
  px: MeasuredPixels;
  width: number;
  height: number;
  resolve(values: Float32Array): void;
}

/**
 * On a second thread, so that they run while the backbone runs on this one: on wasm the
 * backbone holds its thread for its whole run, and the measurements are a third of the rest of
 * a photo's time. Every phone has a second core. Same code, same numbers as `measureHere`.
 * The views are copied to the worker, not moved: should it fail to start or die, the pending
 * and all later photos are measured here instead.
 */
export function measureOffThread(createWorker: () => Pick<Worker, 'postMessage' | 'terminate' | 'onmessage' | 'onerror'>): Measurer {
  type W = ReturnType<typeof createWorker>;
  let worker: W | null = null;
  let broken = false; // set once the worker cannot start or has died
  let nextId = 0;
  const pending = new Map<number, Job>();
  const fallBack = () => {
    broken = true;
    worker?.terminate();
    worker = null;
    for (const job of pending.values()) job.resolve(measure(job.px, job.width, job.height));
    pending.clear();
  };
  const start = (): W | null => {
    if (worker || broken) return worker;
    try {
      worker = createWorker();
    } catch {
      broken = true;
      return null;
    }
    worker.onmessage = (e: MessageEvent<{ id: number; values?: Float32Array }>) => {
      const job = pending.get(e.data.id);
      if (!job) return;
      pending.delete(e.data.id);
      job.resolve(e.data.values ?? measure(job.px, job.width, job.height));
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      fallBack();
    };
    return worker;
  };
  return {
    measure(px, width, height) {
      const w = start();
      if (!w) return Promise.resolve(measure(px, width, height));
      return new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, { px, width, height, resolve });
        w.postMessage({ id, px, width, height });
      });
    },
    dispose() {
      worker?.terminate();
      worker = null;
      broken = true;
      for (const job of pending.values()) job.resolve(measure(job.px, job.width, job.height));
      pending.clear();
    },
  };
}
