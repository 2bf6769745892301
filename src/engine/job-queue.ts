// Runs jobs one at a time, in order. A job whose signal aborts is dropped while queued and
// rejected at once while running (its late result is thrown away); the next job waits until
// the running one has really finished, so the scorer is never asked for two photos at once.

export interface JobOptions {
  signal?: AbortSignal;
  /** Called when the job leaves the queue and starts running. */
  onStart?: () => void;
}

export interface JobQueue<I, O> {
  push(input: I, options?: JobOptions): Promise<O>;
  /** Jobs waiting (not counting the running one). */
  size(): number;
  /** Rejects everything queued or running; later pushes reject. */
  dispose(): void;
}

interface Job<I, O> extends JobOptions {
  input: I;
  settled: boolean;
  resolve: (o: O) => void;
  reject: (e: Error) => void;
}

/** `before` is awaited ahead of each job (e.g. the model loading); its failure fails the job. */
/**
 * `run` also hears which input waits next (if any), so it can get that one ready while this one
 * runs; the next one may still be cancelled before its turn.
 */
export function createJobQueue<I, O>(run: (input: I, next?: I) => Promise<O>, cancelled: () => Error, before?: () => Promise<void>): JobQueue<I, O> {
  const queue: Job<I, O>[] = [];
  let running: Job<I, O> | undefined;
  let disposed = false;

  const settle = (job: Job<I, O>, outcome: { value: O } | { error: Error }) => {
    if (job.settled) return;
    job.settled = true;
    if ('value' in outcome) job.resolve(outcome.value);
    else job.reject(outcome.error);
  };

  const pump = async () => {
    if (running || disposed) return;
    const job = queue.shift();
    if (!job) return;
    running = job;
    try {
      await before?.();
      if (job.settled) return;
      job.onStart?.();
      settle(job, { value: await run(job.input, queue[0]?.input) });
    } catch (e) {
      settle(job, { error: e as Error });
    } finally {
      running = undefined;
      void pump();
    }
  };

  return {
    push(input, { signal, onStart } = {}) {
      return new Promise<O>((resolve, reject) => {
        if (disposed || signal?.aborted) return reject(cancelled());
        const job: Job<I, O> = { input, signal, onStart, settled: false, resolve, reject };
        signal?.addEventListener(
          'abort',
          () => {
            const i = queue.indexOf(job);
            if (i >= 0) queue.splice(i, 1);
            settle(job, { error: cancelled() });
          },
          { once: true },
        );
        queue.push(job);
        void pump();
      });
    },
    size: () => queue.length,
    dispose() {
      disposed = true;
      for (const job of queue.splice(0)) settle(job, { error: cancelled() });
      if (running) settle(running, { error: cancelled() });
    },
  };
}
