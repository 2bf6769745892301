import type { Score } from '../core/aspects';
import type { BackendName, Engine, EngineInfo } from '../core/engine-types';
import { CoachError } from '../core/errors';
import { onWorkerStartFault } from '../core/recovery';
import { createJobQueue } from './job-queue';
import { mainRunner } from './main-runner';
import type { FixPreview } from '../core/fixes';
import type { Runner, ScorerConfig, Task, WorkerLike } from './runner';
import { workerRunner } from './worker-runner';

export type { Runner, ScorerConfig, WorkerLike } from './runner';
export { mainRunner } from './main-runner';

export interface EngineOptions {
  /** URL of the model folder (holding model-card.json), absolute or relative to the page. */
  modelUrl: string;
  backends?: BackendName[];
  /**
   * 'auto': a worker when this browser has OffscreenCanvas and the worker gets a WebGL2 context
   * (or WebGL is not wanted), else the page's thread. 'worker' and 'main' force one.
   */
  thread?: 'auto' | 'worker' | 'main';
  /** See ScorerOptions.softwareWebgl. */
  softwareWebgl?: 'skip' | 'use';
}

/** Seams for tests: where workers and main-thread runners come from. */
export interface EngineDeps {
  canUseWorker(): boolean;
  createWorker(): WorkerLike;
  mainRunner(config: ScorerConfig, why: string): Runner;
}

const DEFAULT_BACKENDS: BackendName[] = ['webgl', 'wasm', 'cpu'];

const absolute = (url: string) => (typeof location === 'undefined' ? url : new URL(url, location.href).href);

export const browserDeps: EngineDeps = {
  canUseWorker: () => typeof Worker !== 'undefined' && typeof OffscreenCanvas !== 'undefined',
  createWorker: () => new Worker(new URL('./scoring.worker.ts', import.meta.url), { type: 'module', name: 'photo-coach-scoring' }),
  mainRunner,
};

const cancelled = () => new CoachError('CANCELLED', 'the photo was removed or replaced', { userFacing: false });

/** The coach's engine: a queue of photos, scored one at a time on a worker or the page (core/recovery.ts decides). */
export function createEngine(options: EngineOptions, deps: EngineDeps = browserDeps): Engine {
  const opts: ScorerConfig = { modelUrl: absolute(options.modelUrl), backends: options.backends ?? DEFAULT_BACKENDS, softwareWebgl: options.softwareWebgl };
  const thread = options.thread ?? 'auto';
  const useWorker = thread === 'worker' || (thread === 'auto' && deps.canUseWorker());
  let runner: Runner = useWorker
    ? workerRunner(opts, () => deps.createWorker(), thread === 'auto' && opts.backends[0] === 'webgl')
    : deps.mainRunner(opts, thread === 'main' ? 'asked for' : 'no OffscreenCanvas in workers here');
  // A worker that cannot start or has no WebGL hands over to the page (unless forced).
  const ready: Promise<EngineInfo> = runner.info.catch((e) => {
    if (!useWorker || onWorkerStartFault(e, thread === 'worker') === 'fail-engine') throw e;
    runner.dispose();
    runner = deps.mainRunner(opts, `worker unusable: ${(e as Error).message}`);
    return runner.info;
  });
  ready.catch(() => {});

  // scores, fix previews and full-size fixes share one queue: the model runs one photo at a time
  const queue = createJobQueue<Task, unknown>(
    (task, next) => runner.run(task, next),
    cancelled,
    () => ready.then(() => {}),
  );

  let disposed = false;
  let nextId = 1;
  return {
    ready,
    score: (blob, options) => queue.push({ kind: 'score', blob, id: nextId++ }, options) as Promise<Score>,
    fix: (blob, fixes, options) => queue.push({ kind: 'fix', blob, fixes, hand: options?.hand, aspect: options?.aspect }, options) as Promise<FixPreview>,
    render: (blob, plan, maxBytes, options) => queue.push({ kind: 'render', blob, plan, maxBytes }, options) as Promise<Blob>,
    async memory() {
      await ready;
      if (!runner.memory) throw new CoachError('INTERNAL', 'this engine cannot report its memory', { userFacing: false });
      return runner.memory();
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      queue.dispose();
      runner.dispose();
    },
  };
}
