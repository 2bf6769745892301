import type { EngineInfo } from '../core/engine-types';
import { CoachError } from '../core/errors';
import { onPhotoFault } from '../core/recovery';
import { connect } from './rpc';
import type { Runner, ScorerConfig, TaskResult, WorkerLike } from './runner';
import type { ScoringApi } from './worker-api';

const crashed = (message: string) => new CoachError('WORKER_CRASHED', `the scoring worker stopped: ${message}`, { userFacing: false });

/**
 * A worker that decodes and scores. If it dies mid-photo it is started again and the photo
 * retried once (core/recovery.ts); a second death fails that photo only. `needWebgl`: fail to
 * start unless the worker can draw WebGL2 (the page then takes over).
 */
export function workerRunner(opts: ScorerConfig, createWorker: () => WorkerLike, needWebgl: boolean): Runner {
  let worker!: WorkerLike;
  let rpc!: ReturnType<typeof connect<ScoringApi>>;
  let disposed = false;
  let booted = false;

  const start = () => {
    worker = createWorker();
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
    async run(task, next) {
      await info;
      // the photo queued next is decoded in the worker while this one's backbone runs
      const ahead = next?.kind === 'score' ? { id: next.id, blob: next.blob } : undefined;
      const once = () =>
        (task.kind === 'score' ? rpc.call('score', { blob: task.blob, id: task.id, next: ahead }) : task.kind === 'fix' ? rpc.call('fix', task) : rpc.call('render', task)) as Promise<
          TaskResult<typeof task>
        >;
      try {
        return await once();
      } catch (e) {
        if (disposed || onPhotoFault(e, 0) !== 'fresh-worker') throw e;
        // the fresh worker that onError started loads the model again first
        await rpc.call('init', opts);
        return once();
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
