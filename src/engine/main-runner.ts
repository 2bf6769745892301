import type { Runner, ScorerConfig, TaskResult } from './runner';

/** Scores on the page's thread. Loads tfjs only then, so the worker path keeps it off the page. */
export function mainRunner(config: ScorerConfig, why: string): Runner {
  // both loaded only now: the measurements' code, like tfjs, stays out of the page's bundle
  const scorer = Promise.all([import('../core/model/scorer'), import('./measure-off-thread')]).then(([m, t]) => m.loadScorer({ ...config, measurer: t.measurerWorker() }));
  const decode = import('../core/image/decode-browser');
  const fix = import('../core/fix/fix-browser');
  scorer.catch(() => {}); // reported through `info`
  return {
    info: scorer.then((s) => ({ backend: s.backend, reason: `${s.backendReason}; on the page's thread (${why})`, thread: 'main' as const, modelVersion: s.modelVersion })),
    async run(task) {
      const s = await scorer;
      if (task.kind === 'fix') return (await fix).previewFix(s, task.blob, task.fixes, task.hand, task.aspect) as Promise<TaskResult<typeof task>>;
      if (task.kind === 'render') return (await fix).renderFix(task.blob, task.plan, task.maxBytes) as Promise<TaskResult<typeof task>>;
      const { bitmap, width, height } = await (await decode).decodeBlob(task.blob);
      try {
        return (await s.score(bitmap, { width, height })) as TaskResult<typeof task>;
      } finally {
        bitmap.close();
      }
    },
    async memory() {
      await scorer;
      return (await import('../core/model/scorer')).backendMemory();
    },
    dispose() {
      scorer.then(
        (s) => s.dispose(),
        () => {},
      );
    },
  };
}
