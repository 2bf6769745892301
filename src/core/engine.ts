import type { Score } from './aspects';
import type { BackendName, Engine, EngineInfo, EngineMemory } from './engine-types';
import { CoachError, isCoachError } from './errors';
import { createJobQueue } from './job-queue';
import type { ScoringApi } from '../worker/protocol';
import { connect, type Endpoint } from '../worker/rpc';

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

/** What a runner needs to load the scorer, wherever it runs. */
export interface ScorerConfig {
  modelUrl: string;
  backends: BackendName[];
  softwareWebgl?: 'skip' | 'use';
}

/** Runs one photo at a time somewhere; the engine owns the queue and cancellation. */
export interface Runner {
  info: Promise<EngineInfo>;
  run(blob: Blob): Promise<Score>;
  memory?(): Promise<EngineMemory>;
  dispose(): void;
}

export interface WorkerLike extends Endpoint {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}

/** Seams for tests: where workers and main-thread runners come from. */
export interface EngineDeps {
  canUseWorker(): boolean;
  createWorker(): WorkerLike;
  mainRunner(config: ScorerConfig, why: string): Runner;
}

const DEFAULT_BACKENDS: BackendName[] = ['webgl', 'wasm', 'cpu'];

const absolute = (url: string) => (typeof location === 'undefined' ? url : new URL(url, location.href).href);

/** Loads tfjs only when the page itself scores, so the worker path keeps it off the page. */
export function mainRunner(config: ScorerConfig, why: string): Runner {
  const scorer = import('./model/scorer').then((m) => m.loadScorer(config));
  const decode = import('./image/decode-browser');
  scorer.catch(() => {}); // reported through `info`
  return {
    info: scorer.then((s) => ({ backend: s.backend, reason: `${s.backendReason}; on the page's thread (${why})`, thread: 'main' as const, modelVersion: s.modelVersion })),
    async run(blob) {
      const s = await scorer;
      const { bitmap, width, height } = await (await decode).decodeBlob(blob);
      try {
        return await s.score(bitmap, { width, height });
      } finally {
        bitmap.close();
      }
    },
    async memory() {
      await scorer;
      return (await import('./model/scorer')).backendMemory();
    },
    dispose() {
      scorer.then((s) => s.dispose(), () => {});
    },
  };
}

const crashed = (message: string) => new CoachError('INTERNAL', `the scoring worker stopped: ${message}`, { userFacing: false });
const isCrash = (e: unknown) => isCoachError(e) && e.code === 'INTERNAL' && e.message.startsWith('the scoring worker stopped');

/**
 * A worker that decodes and scores. If it dies mid-photo it is started again and the photo
 * retried once; a second death fails that photo only.
 */
function workerRunner(opts: ScorerConfig, deps: EngineDeps, needWebgl: boolean): Runner {
  let worker!: WorkerLike;
  let rpc!: ReturnType<typeof connect<ScoringApi>>;
  let disposed = false;
  let booted = false;

  const start = () => {
    worker = deps.createWorker();
    rpc = connect<ScoringApi>(worker);
    const current = worker;
    const onError = (event: ErrorEvent) => {
      event.preventDefault?.();
      if (current !== worker || disposed) return;
      worker.terminate();
      const dead = rpc;
      // before it ever answered (script missing, no module workers): give up, the page takes over
      if (booted) start().catch(() => {});
      dead.close(crashed(event.message || 'unknown error'));
    };
    worker.addEventListener('error', onError);
    return rpc.call('init', opts);
  };

  const info = (async (): Promise<EngineInfo> => {
    const boot = start();
    boot.catch(() => {}); // awaited below unless the probe fails first
    const { offscreenWebgl2 } = await rpc.call('probe', undefined);
    if (needWebgl && !offscreenWebgl2) {
      throw new CoachError('BACKEND_FAILED', 'no WebGL2 on OffscreenCanvas in a worker', { userFacing: false });
    }
    const i = await boot;
    booted = true;
    return { ...i, reason: `${i.reason}; in a worker${offscreenWebgl2 ? ' (OffscreenCanvas WebGL2)' : ''}`, thread: 'worker' };
  })();
  info.catch(() => {});

  return {
    info,
    async run(blob) {
      await info;
      try {
        return await rpc.call('score', { blob });
      } catch (e) {
        if (!isCrash(e) || disposed) throw e;
        await rpc.call('init', opts);
        return rpc.call('score', { blob });
      }
    },
    async memory() {
      await info;
      return rpc.call('memory', undefined);
    },
    dispose() {
      disposed = true;
      worker.terminate();
      rpc.close(crashed('disposed'));
    },
  };
}

export const browserDeps: EngineDeps = {
  canUseWorker: () => typeof Worker !== 'undefined' && typeof OffscreenCanvas !== 'undefined',
  createWorker: () => new Worker(new URL('../worker/scoring.worker.ts', import.meta.url), { type: 'module', name: 'photo-coach-scoring' }),
  mainRunner,
};

const cancelled = () => new CoachError('CANCELLED', 'the photo was removed or replaced', { userFacing: false });

export function createEngine(options: EngineOptions, deps: EngineDeps = browserDeps): Engine {
  const opts: ScorerConfig = { modelUrl: absolute(options.modelUrl), backends: options.backends ?? DEFAULT_BACKENDS, softwareWebgl: options.softwareWebgl };
  const thread = options.thread ?? 'auto';
  const useWorker = thread === 'worker' || (thread === 'auto' && deps.canUseWorker());
  let runner: Runner = useWorker
    ? workerRunner(opts, deps, thread === 'auto' && opts.backends[0] === 'webgl')
    : deps.mainRunner(opts, thread === 'main' ? 'asked for' : 'no OffscreenCanvas in workers here');
  // A worker that cannot start or has no WebGL hands over to the page (unless forced).
  const ready: Promise<EngineInfo> = runner.info.catch((e) => {
    if (!useWorker || thread === 'worker' || (isCoachError(e) && e.code === 'MODEL_LOAD_FAILED')) throw e;
    runner.dispose();
    runner = deps.mainRunner(opts, `worker unusable: ${(e as Error).message}`);
    return runner.info;
  });
  ready.catch(() => {});

  const queue = createJobQueue<Blob, Score>((blob) => runner.run(blob), cancelled, () => ready.then(() => {}));

  let disposed = false;
  return {
    ready,
    score: (blob, options) => queue.push(blob, options),
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
