import * as tf from '@tensorflow/tfjs';
import type { Score } from '../../../src/core/aspects';
import { browserDeps, createEngine, type EngineOptions, type WorkerLike } from '../../../src/engine/engine';
import type { BackendName } from '../../../src/core/engine-types';
import type { FixByHand, FixKind } from '../../../src/core/fixes';
import { isCoachError } from '../../../src/core/errors';
import { decodeBlob } from '../../../src/core/image/decode-browser';
import { loadScorer, type Scorer } from '../../../src/core/model/scorer';
import { webglRenderer } from '../../../src/core/model/renderer';
import { measurerWorker } from '../../../src/engine/measure-off-thread';

// What the browser suite drives through page.evaluate. Every call answers plain data; failures
// come back as { error: { code, message } } so tests can assert on codes.

type Result<T> = T | { error: { code: string; message: string } };
const caught = (e: unknown) => ({ error: { code: isCoachError(e) ? e.code : 'UNCAUGHT', message: String((e as Error)?.message ?? e) } });

let scorer: Scorer | undefined;

async function blobAt(url: string): Promise<Blob> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.blob();
}

async function scoreBlob(s: Scorer, blob: Blob): Promise<Score> {
  const { bitmap, width, height } = await decodeBlob(blob);
  try {
    return await s.score(bitmap, { width, height });
  } finally {
    bitmap.close();
  }
}

const live = () => {
  if (!scorer) throw new Error('call harness.load first');
  return scorer;
};

const harness = {
  numTensors: () => tf.memory().numTensors,

  webglRenderer: () => webglRenderer() || 'none',

  /** Loads the scorer on the page's thread; software WebGL is used when asked for, unlike in the app. */
  async load(backends: BackendName[], softwareWebgl: 'skip' | 'use' = 'use'): Promise<Result<{ backend: string; reason: string; modelVersion: string; tfBackend: string; loadMs: number }>> {
    const t0 = performance.now();
    try {
      // as the engine loads it: the measurements on their own worker
      scorer = await loadScorer({ modelUrl: '/model/', backends, softwareWebgl, measurer: measurerWorker() });
      return { backend: scorer.backend, reason: scorer.backendReason, modelVersion: scorer.modelVersion, tfBackend: tf.getBackend(), loadMs: performance.now() - t0 };
    } catch (e) {
      return caught(e);
    }
  },

  async scoreUrls(urls: string[]): Promise<Result<{ url: string; score: Score; ms: number }>[]> {
    const out = [];
    for (const url of urls) {
      const t0 = performance.now();
      try {
        out.push({ url, score: await scoreBlob(live(), await blobAt(url)), ms: performance.now() - t0 });
      } catch (e) {
        out.push(caught(e));
      }
    }
    return out;
  },

  /** Scores the same photo n times; tensor counts before and after, and the spread of scores. */
  async scoreRepeatedly(url: string, n: number) {
    const blob = await blobAt(url);
    const before = tf.memory().numTensors;
    const overall: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) overall.push((await scoreBlob(live(), blob)).overall);
    return { before, after: tf.memory().numTensors, min: Math.min(...overall), max: Math.max(...overall), msEach: (performance.now() - t0) / n };
  },

  /**
   * Decodes and scores one photo under tf.profile: the decoded size, the peak of tensor memory
   * and the largest tensor any kernel made (in values).
   */
  /**
   * Decodes and scores one photo under tf.profile. `webCodecs: false` hides ImageDecoder, as in
   * a browser without it; `scaledDecodes` counts the ImageDecoders the decode made.
   */
  async scoreProfiled(url: string, { webCodecs = true } = {}) {
    const blob = await blobAt(url);
    let score: Score | undefined;
    let decoded = [0, 0];
    const real = globalThis.ImageDecoder;
    let scaledDecodes = 0;
    Object.defineProperty(globalThis, 'ImageDecoder', {
      configurable: true,
      writable: true,
      value: webCodecs
        ? class extends real {
            constructor(init: ImageDecoderInit) {
              super(init);
              scaledDecodes++;
            }
          }
        : undefined,
    });
    try {
      const info = await tf.profile(async () => {
        const { bitmap, width, height } = await decodeBlob(blob);
        decoded = [bitmap.width, bitmap.height];
        try {
          score = await live().score(bitmap, { width, height });
        } finally {
          bitmap.close();
        }
      });
      const sizes = info.kernels.flatMap((k) => k.outputShapes.map((s) => s.reduce((a, b) => a * b, 1)));
      return { score: score!, decoded, scaledDecodes, peakBytes: info.peakBytes, largestTensor: Math.max(...sizes) };
    } finally {
      Object.defineProperty(globalThis, 'ImageDecoder', { configurable: true, writable: true, value: real });
    }
  },

  dispose() {
    scorer?.dispose();
    scorer = undefined;
    return tf.memory().numTensors;
  },

  /** Scores through the engine (queue, worker or page thread), then disposes it. */
  async engine(urls: string[], options: Omit<EngineOptions, 'modelUrl'> & { modelUrl?: string }) {
    const engine = createEngine({ modelUrl: '/model/', ...options });
    try {
      const info = await engine.ready.catch(caught);
      const scores = await Promise.all(
        urls.map((url) =>
          blobAt(url)
            .then((b) => engine.score(b))
            .catch(caught),
        ),
      );
      return { info, scores };
    } finally {
      engine.dispose();
    }
  },

  /**
   * A fix through the engine: its preview, then the full-size render (the memory bench samples
   * the browser's processes meanwhile). Returns the plan and the rendered JPEG's size.
   */
  async engineFix(url: string, fixes: FixKind[], options: Omit<EngineOptions, 'modelUrl'> = {}, hand?: FixByHand) {
    const engine = createEngine({ modelUrl: '/model/', ...options });
    try {
      await engine.ready;
      const blob = await blobAt(url);
      (window as unknown as { fixPhase: string }).fixPhase = 'preview';
      const t0 = performance.now();
      const preview = await engine.fix(blob, fixes, { hand });
      const previewMs = performance.now() - t0;
      (window as unknown as { fixPhase: string }).fixPhase = 'render';
      const t1 = performance.now();
      const out = await engine.render(blob, preview.plan, 50 * 1024 * 1024);
      const renderMs = performance.now() - t1;
      const bitmap = await createImageBitmap(out);
      const result = { plan: preview.plan, score: preview.score.overall, bytes: out.size, type: out.type, width: bitmap.width, height: bitmap.height, previewMs, renderMs };
      bitmap.close();
      return result;
    } catch (e) {
      return caught(e);
    } finally {
      (window as unknown as { fixPhase: string }).fixPhase = 'done';
      engine.dispose();
    }
  },

  /** Scores raw bytes through the engine: for bad-input cases built by the test. */
  async engineBytes(files: { name: string; bytes: number[] }[], options: Omit<EngineOptions, 'modelUrl'> = {}) {
    const engine = createEngine({ modelUrl: '/model/', ...options });
    try {
      return await Promise.all(files.map((f) => engine.score(new File([new Uint8Array(f.bytes)], f.name)).catch(caught)));
    } finally {
      engine.dispose();
    }
  },

  /**
   * Scores the photos one by one on the loaded scorer, and takes the WebGL context away
   * (WEBGL_lose_context) `after` ms into the second photo.
   */
  async loseContextWhileScoring(urls: string[], after: number) {
    const s = live();
    const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
    const lose = gl?.getExtension('WEBGL_lose_context');
    if (!lose) return { error: { code: 'NO_WEBGL', message: `backend ${tf.getBackend()} has no WebGL context to lose` } };
    const blobs = await Promise.all(urls.map(blobAt));
    const results = [];
    for (const [i, blob] of blobs.entries()) {
      const scoring = scoreBlob(s, blob).then((score) => ({ overall: score.overall, backend: s.backend }), caught);
      if (i === 1) {
        await new Promise((r) => setTimeout(r, after));
        lose.loseContext();
      }
      results.push(await scoring);
    }
    return { results, contextLost: gl!.isContextLost(), backend: s.backend, reason: s.backendReason, tfBackend: tf.getBackend() };
  },

  /** Scores a photo in a real worker that "crashes" (an error event) while it works. */
  async engineWorkerCrash(url: string, after: number) {
    const workers: WorkerLike[] = [];
    const engine = createEngine(
      { modelUrl: '/model/', backends: ['wasm'] },
      {
        ...browserDeps,
        createWorker: () => {
          const w = browserDeps.createWorker();
          workers.push(w);
          return w;
        },
      },
    );
    try {
      await engine.ready;
      const blob = await blobAt(url);
      const scoring = engine.score(blob).then((score) => ({ overall: score.overall }), caught);
      await new Promise((r) => setTimeout(r, after));
      (workers.at(-1) as unknown as Worker).dispatchEvent(new ErrorEvent('error', { message: 'simulated crash' }));
      const first = await scoring;
      const next = await engine.score(blob).then((score) => ({ overall: score.overall }), caught);
      return { first, next, workersStarted: workers.length };
    } finally {
      engine.dispose();
    }
  },

  /** Cancels the first of three photos while it runs and the second while queued. */
  async engineCancel(url: string) {
    const engine = createEngine({ modelUrl: '/model/' });
    try {
      await engine.ready;
      const blob = await blobAt(url);
      const first = new AbortController();
      const second = new AbortController();
      let started = 0;
      const jobs = [
        engine.score(blob, { signal: first.signal, onStart: () => started++ }),
        engine.score(blob, { signal: second.signal, onStart: () => started++ }),
        engine.score(blob, { onStart: () => started++ }),
      ].map((p) => p.then((s) => ({ overall: s.overall }), caught));
      await new Promise((r) => setTimeout(r, 10));
      first.abort();
      second.abort();
      const results = await Promise.all(jobs);
      return { results, started };
    } finally {
      engine.dispose();
    }
  },
};

declare global {
  interface Window {
    harness: typeof harness;
  }
}
window.harness = harness;
document.body.dataset.ready = 'true';
