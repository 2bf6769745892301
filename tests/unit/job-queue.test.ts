import { createJobQueue } from '../../src/engine/job-queue';

const cancelled = () => Object.assign(new Error('cancelled'), { code: 'CANCELLED' });

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A runner whose jobs finish when the test says so. */
function manualRunner() {
  const calls: { input: string; done: ReturnType<typeof deferred<string>> }[] = [];
  let active = 0;
  let maxActive = 0;
  const run = async (input: string) => {
    active++;
    maxActive = Math.max(maxActive, active);
    const done = deferred<string>();
    calls.push({ input, done });
    try {
      return await done.promise;
    } finally {
      active--;
    }
  };
  return { run, calls, maxActive: () => maxActive };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('job queue', () => {
  it('runs one job at a time, in order, and says when each starts', async () => {
    const r = manualRunner();
    const q = createJobQueue(r.run, cancelled);
    const started: string[] = [];
    const results = ['a', 'b', 'c'].map((x) => q.push(x, { onStart: () => started.push(x) }));
    await tick();
    expect(r.calls.map((c) => c.input)).toEqual(['a']);
    expect(started).toEqual(['a']);
    for (let i = 0; i < 3; i++) {
      r.calls[i].done.resolve(r.calls[i].input.toUpperCase());
      await tick();
    }
    expect(await Promise.all(results)).toEqual(['A', 'B', 'C']);
    expect(started).toEqual(['a', 'b', 'c']);
    expect(r.maxActive()).toBe(1);
  });

  it('drops an aborted queued job without running it', async () => {
    const r = manualRunner();
    const q = createJobQueue(r.run, cancelled);
    const stale = new AbortController();
    const first = q.push('a');
    const second = q.push('b', { signal: stale.signal });
    const third = q.push('c');
    stale.abort();
    await expect(second).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(q.size()).toBe(1);
    r.calls[0].done.resolve('A');
    await tick();
    expect(r.calls.map((c) => c.input)).toEqual(['a', 'c']);
    r.calls[1].done.resolve('C');
    expect([await first, await third]).toEqual(['A', 'C']);
  });

  it('rejects a running job at once on abort, discards its result, and waits for it before the next', async () => {
    const r = manualRunner();
    const q = createJobQueue(r.run, cancelled);
    const ctl = new AbortController();
    const running = q.push('a', { signal: ctl.signal });
    const next = q.push('b');
    await tick();
    ctl.abort();
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    await tick();
    expect(r.calls).toHaveLength(1); // the scorer is still busy with "a"
    r.calls[0].done.resolve('A (late)');
    await tick();
    r.calls[1].done.resolve('B');
    expect(await next).toBe('B');
  });

  it('refuses already-aborted signals and rejects everything on dispose', async () => {
    const r = manualRunner();
    const q = createJobQueue(r.run, cancelled);
    await expect(q.push('x', { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
    const a = q.push('a');
    const b = q.push('b');
    await tick();
    q.dispose();
    await expect(a).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(b).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(q.push('c')).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('fails a job when `before` fails, and a failing job does not stop the queue', async () => {
    let gate: Promise<void> = Promise.reject(new Error('model 404'));
    gate.catch(() => {});
    const q = createJobQueue(
      async (x: string) => {
        if (x === 'bad') throw new Error('corrupt');
        return x;
      },
      cancelled,
      () => gate,
    );
    await expect(q.push('a')).rejects.toThrow('model 404');
    gate = Promise.resolve();
    const bad = q.push('bad');
    const good = q.push('good');
    await expect(bad).rejects.toThrow('corrupt');
    expect(await good).toBe('good');
  });
});
