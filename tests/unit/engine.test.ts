import type { Score } from '../../src/core/aspects';
import { createEngine, type EngineDeps, type Runner, type WorkerLike } from '../../src/engine/engine';
import { CoachError } from '../../src/core/errors';
import type { ScoringApi } from '../../src/engine/worker-api';
import { serve } from '../../src/engine/rpc';
import { fakeChannel, type FakePort } from './helpers/fake-endpoint';

const score = (overall: number) => ({ overall, band: 'ok', aspects: {}, width: 512, height: 512 }) as unknown as Score;
const info = { backend: 'webgl' as const, reason: 'webgl: first choice, warmed up', modelVersion: 'test-1' };

interface FakeWorkerOptions {
  webgl2?: boolean;
  scoreFn?: (blob: Blob, worker: FakeWorker) => Promise<Score>;
  /** Every score call's argument, as the worker got it. */
  seen?: unknown[];
  initFn?: () => Promise<typeof info>;
}
type FakeWorker = FakePort & WorkerLike & { terminated: boolean; crash(message: string): void };

function workerDeps(o: FakeWorkerOptions = {}) {
  const workers: FakeWorker[] = [];
  const mainRuns: string[] = [];
  const deps: EngineDeps = {
    canUseWorker: () => true,
    createWorker() {
      const [page, inside] = fakeChannel();
      const w = Object.assign(page, {
        terminated: false,
        terminate() {
          w.terminated = true;
          page.closed = inside.closed = true;
        },
        crash(message: string) {
          w.dispatchEvent(Object.assign(new Event('error', { cancelable: true }), { message }));
        },
      }) as FakeWorker;
      serve<ScoringApi>(inside, {
        probe: async () => ({ offscreenWebgl2: o.webgl2 ?? true }),
        init: o.initFn ?? (async () => info),
        score: async (input) => {
          o.seen?.push(input);
          return (o.scoreFn ?? (async () => score(50)))((input as { blob: Blob }).blob, w);
        },
        memory: async () => ({ backend: 'webgl', numTensors: 7, numBytes: 700, texturesUsed: 3, texturesFree: 1 }),
        fix: async ({ fixes }) => ({
          plan: { fixes, quarterTurns: 0, straighten: 0, gains: [1, 1, 1], curve: [], crop: null },
          frame: { width: 8, height: 6 },
          score: score(70),
          preview: new Blob(['preview']),
        }),
        render: async ({ maxBytes }) => new Blob([`rendered ≤ ${maxBytes}`]),
      });
      workers.push(w);
      return w;
    },
    mainRunner(_opts, why): Runner {
      mainRuns.push(why);
      return {
        info: Promise.resolve({ ...info, backend: 'wasm', reason: why, thread: 'main' }),
        run: (async () => score(42)) as Runner['run'],
        dispose() {},
      };
    },
  };
  return { deps, workers, mainRuns };
}

const blob = (text: string) => new Blob([text]);

describe('engine', () => {
  it('previews and renders a fix in the worker, through the same queue', async () => {
    const { deps } = workerDeps();
    const engine = createEngine({ modelUrl: '/model/' }, deps);
    const preview = await engine.fix(blob('a'), ['exposure']);
    expect(preview.plan.fixes).toEqual(['exposure']);
    expect(preview.score.overall).toBe(70);
    expect(await (await engine.render(blob('a'), preview.plan, 1000)).text()).toBe('rendered ≤ 1000');
  });

  it('tells the worker which photo is queued next, so it can decode it meanwhile', async () => {
    const seen: { id: number; next?: { id: number; blob: Blob } }[] = [];
    const { deps } = workerDeps({ seen });
    const engine = createEngine({ modelUrl: '/model/' }, deps);
    const [a, b] = [blob('a'), blob('b')];
    await Promise.all([engine.score(a), engine.score(b)]);
    expect(seen).toHaveLength(2);
    expect(seen[0].next?.id).toBe(seen[1].id);
    expect(await seen[0].next?.blob.text()).toBe('b');
    expect(seen[1].next).toBeUndefined();
  });

  it('scores in a worker and says so', async () => {
    const { deps, workers } = workerDeps();
    const engine = createEngine({ modelUrl: '/model/' }, deps);
    expect(await engine.ready).toMatchObject({ backend: 'webgl', thread: 'worker', modelVersion: 'test-1' });
    expect((await engine.ready).reason).toMatch(/in a worker \(OffscreenCanvas WebGL2\)/);
    expect(await engine.score(blob('a'))).toMatchObject({ overall: 50 });
    // the worker's own memory, asked across the boundary
    expect(await engine.memory!()).toEqual({ backend: 'webgl', numTensors: 7, numBytes: 700, texturesUsed: 3, texturesFree: 1 });
    engine.dispose();
    expect(workers[0].terminated).toBe(true);
  });

  it('moves to the page when the worker has no WebGL2 and WebGL is wanted first', async () => {
    const { deps, workers, mainRuns } = workerDeps({ webgl2: false });
    const engine = createEngine({ modelUrl: '/model/' }, deps);
    expect(await engine.ready).toMatchObject({ thread: 'main' });
    expect(mainRuns[0]).toMatch(/no WebGL2 on OffscreenCanvas/);
    expect(workers[0].terminated).toBe(true);
    expect(await engine.score(blob('a'))).toMatchObject({ overall: 42 });
  });

  it('keeps the worker without WebGL2 when wasm is asked for first', async () => {
    const { deps } = workerDeps({ webgl2: false });
    const engine = createEngine({ modelUrl: '/model/', backends: ['wasm', 'cpu'] }, deps);
    expect(await engine.ready).toMatchObject({ thread: 'worker' });
    expect((await engine.ready).reason).not.toMatch(/OffscreenCanvas/);
  });

  it('does not fall back when the model itself fails to load', async () => {
    const { deps, mainRuns } = workerDeps({
      initFn: async () => {
        throw new CoachError('MODEL_LOAD_FAILED', 'http://x/model/model-card.json answered 404');
      },
    });
    const engine = createEngine({ modelUrl: '/model/' }, deps);
    await expect(engine.ready).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringContaining('404') });
    await expect(engine.score(blob('a'))).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED' });
    expect(mainRuns).toEqual([]);
  });

  it('carries coded decode errors from the worker, and goes on with the next photo', async () => {
    const { deps } = workerDeps({
      scoreFn: async (b) => {
        if ((await b.text()) === 'bad') throw new CoachError('CORRUPT_IMAGE', 'cut short');
        return score(70);
      },
    });
    const engine = createEngine({ modelUrl: '/model/' }, deps);
    const bad = engine.score(blob('bad'));
    const good = engine.score(blob('good'));
    await expect(bad).rejects.toMatchObject({ code: 'CORRUPT_IMAGE', userFacing: true });
    expect(await good).toMatchObject({ overall: 70 });
  });

  it('cancels queued and running photos with CANCELLED and never sends the queued one', async () => {
    let release!: () => void;
    const sent: string[] = [];
    const { deps } = workerDeps({
      scoreFn: async (b) => {
        const t = await b.text();
        sent.push(t);
        if (t === 'slow') await new Promise<void>((r) => (release = r));
        return score(t.length);
      },
    });
    const engine = createEngine({ modelUrl: '/model/' }, deps);
    const slowCtl = new AbortController();
    const staleCtl = new AbortController();
    const slow = engine.score(blob('slow'), { signal: slowCtl.signal });
    const stale = engine.score(blob('stale'), { signal: staleCtl.signal });
    const last = engine.score(blob('last'));
    await engine.ready;
    await new Promise((r) => setTimeout(r, 5));
    staleCtl.abort();
    slowCtl.abort();
    await expect(slow).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(stale).rejects.toMatchObject({ code: 'CANCELLED' });
    release();
    expect(await last).toMatchObject({ overall: 4 });
    expect(sent).toEqual(['slow', 'last']);
  });

  it('restarts a worker that dies mid-photo and retries that photo once', async () => {
    let crashes = 0;
    const { deps, workers } = workerDeps({
      scoreFn: async (b, w) => {
        if ((await b.text()) === 'fatal' || crashes++ === 0) {
          w.crash('out of memory');
          return new Promise<Score>(() => {});
        }
        return score(60);
      },
    });
    const engine = createEngine({ modelUrl: '/model/' }, deps);
    expect(await engine.score(blob('a'))).toMatchObject({ overall: 60 });
    expect(workers).toHaveLength(2);
    expect(workers[0].terminated).toBe(true);
    await expect(engine.score(blob('fatal'))).rejects.toMatchObject({ code: 'WORKER_CRASHED', message: expect.stringMatching(/out of memory/) });
    expect(await engine.score(blob('b'))).toMatchObject({ overall: 60 });
  });

  it('falls back to the page when the worker script cannot start', async () => {
    const { deps, mainRuns } = workerDeps();
    const create = deps.createWorker;
    deps.createWorker = () => {
      const w = create() as FakeWorker;
      queueMicrotask(() => w.crash('Failed to fetch a worker script'));
      return w;
    };
    const engine = createEngine({ modelUrl: '/model/' }, deps);
    expect(await engine.ready).toMatchObject({ thread: 'main' });
    expect(mainRuns[0]).toMatch(/worker unusable: .*Failed to fetch/);
  });

  it('rejects every photo once disposed', async () => {
    const { deps } = workerDeps();
    const engine = createEngine({ modelUrl: '/model/' }, deps);
    const pending = engine.score(blob('a'));
    engine.dispose();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(engine.score(blob('b'))).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
