import type { Score } from './aspects';
import type { BackendName, Engine, EngineInfo } from './engine-types';
import { CoachError } from './errors';
import { decodeBlob } from './image/decode-browser';
import { loadScorer } from './model/scorer';
import { fromWire, type FromWorker, type ToWorker } from '../worker/protocol';

export interface EngineOptions {
  modelUrl: string;
  backends?: BackendName[];
  /** 'auto' uses a worker where one can be started, else the page's thread. */
  thread?: 'auto' | 'worker' | 'main';
}

/** Runs one photo at a time somewhere; the engine owns the queue and cancellation. */
interface Runner {
  info: Promise<EngineInfo>;
  run(blob: Blob): Promise<Score>;
  dispose(): void;
}

function mainRunner(opts: EngineOptions): Runner {
  const scorer = loadScorer({ modelUrl: opts.modelUrl, backends: opts.backends });
  scorer.catch(() => {}); // reported through `info`
  return {
    info: scorer.then((s) => ({ backend: s.backend, reason: s.backendReason, thread: 'main' as const, modelVersion: s.modelVersion })),
    async run(blob) {
      const s = await scorer;
      const { bitmap, width, height } = await decodeBlob(blob);
      try {
        return await s.score(bitmap, { width, height });
      } finally {
        bitmap.close();
      }
    },
    dispose() {
      scorer.then((s) => s.dispose(), () => {});
    },
  };
}

/**
 * A worker that decodes and scores. If it crashes mid-photo it is started again once and the
 * photo retried; a second crash fails that photo only.
 */
function workerRunner(opts: EngineOptions): Runner {
  let worker: Worker;
  let nextId = 1;
  const pending = new Map<number, { blob: Blob; retried: boolean; resolve: (s: Score) => void; reject: (e: Error) => void }>();
  let settleInfo!: { resolve: (i: EngineInfo) => void; reject: (e: Error) => void };
  const info = new Promise<EngineInfo>((resolve, reject) => (settleInfo = { resolve, reject }));
  info.catch(() => {});
  const send = (m: ToWorker) => worker.postMessage(m);

  const start = () => {
    worker = new Worker(new URL('../worker/scoring.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if (m.type === 'ready') settleInfo.resolve({ ...m.info, thread: 'worker' });
      else if (m.type === 'failed') settleInfo.reject(fromWire(m.error));
      else {
        const job = pending.get(m.id);
        if (!job) return;
        pending.delete(m.id);
        if (m.type === 'scored') job.resolve(m.score);
        else job.reject(fromWire(m.error));
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      settleInfo.reject(new CoachError('BACKEND_FAILED', `the scoring worker failed to start: ${e.message}`));
      worker.terminate();
      const jobs = [...pending.entries()];
      pending.clear();
      if (!jobs.length) return;
      start();
      for (const [, job] of jobs) {
        if (job.retried) job.reject(new CoachError('INTERNAL', 'scoring stopped unexpectedly twice on this photo'));
        else submit(job.blob, true).then(job.resolve, job.reject);
      }
    };
    send({ type: 'init', modelUrl: new URL(opts.modelUrl, location.href).href, backends: opts.backends ?? ['webgl', 'wasm', 'cpu'] });
  };

  const submit = (blob: Blob, retried: boolean) =>
    new Promise<Score>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { blob, retried, resolve, reject });
      send({ type: 'score', id, blob });
    });

  start();
  return {
    info,
    run: async (blob) => {
      await info;
      return submit(blob, false);
    },
    dispose: () => worker.terminate(),
  };
}

interface Job {
  blob: Blob;
  signal?: AbortSignal;
  onStart?: () => void;
  resolve: (s: Score) => void;
  reject: (e: Error) => void;
}

const cancelled = () => new CoachError('CANCELLED', 'the photo was removed or replaced', { userFacing: false });

export function createEngine(opts: EngineOptions): Engine {
  const wantWorker = opts.thread !== 'main' && typeof Worker !== 'undefined';
  let runner: Runner = wantWorker ? workerRunner(opts) : mainRunner(opts);
  // A worker that cannot start (no module workers, blocked by policy) hands over to the page.
  const ready: Promise<EngineInfo> = runner.info.catch((e) => {
    if (!wantWorker || opts.thread === 'worker' || (e instanceof CoachError && e.code === 'MODEL_LOAD_FAILED')) throw e;
    runner.dispose();
    runner = mainRunner(opts);
    return runner.info;
  });
  ready.catch(() => {});
  const queue: Job[] = [];
  let busy = false;
  let disposed = false;

  const pump = async () => {
    if (busy || disposed) return;
    const job = queue.shift();
    if (!job) return;
    busy = true;
    try {
      await ready;
      job.onStart?.();
      const score = await runner.run(job.blob);
      if (!job.signal?.aborted) job.resolve(score);
    } catch (e) {
      if (!job.signal?.aborted) job.reject(e as Error);
    } finally {
      busy = false;
      void pump();
    }
  };

  return {
    ready,
    score(blob, options = {}) {
      return new Promise<Score>((resolve, reject) => {
        if (disposed) return reject(cancelled());
        const { signal, onStart } = options;
        if (signal?.aborted) return reject(cancelled());
        const job: Job = { blob, signal, onStart, resolve, reject };
        signal?.addEventListener(
          'abort',
          () => {
            const i = queue.indexOf(job);
            if (i >= 0) queue.splice(i, 1);
            reject(cancelled()); // a running job's result is dropped when it arrives
          },
          { once: true },
        );
        queue.push(job);
        void pump();
      });
    },
    dispose() {
      disposed = true;
      for (const job of queue.splice(0)) job.reject(cancelled());
      runner.dispose();
    },
  };
}
