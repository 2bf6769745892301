import * as tf from '@tensorflow/tfjs';
import type { Score } from '../../../src/core/aspects';
import { createEngine } from '../../../src/engine/engine';
import type { BackendName } from '../../../src/core/engine-types';
import { explain } from '../../../src/core/explain';
import { decodeBlob } from '../../../src/core/image/decode-browser';
import { bitmapPixels } from '../../../src/core/image/pixels-browser';
import { webglRenderer } from '../../../src/core/model/renderer';
import type { ModelBundle } from '../../../src/core/model/bundle';
import { loadMeasuredScorer } from './measured-scorer';
import { batchResult } from '../batch';
import { cachedModelReader } from '../../../src/core/model/model-cache';
import { BACKBONE_OUTPUTS } from '../../../src/core/model/features';
import { disposeBundle, loadBundle } from '../../../src/core/model/bundle';
import { scorePixels } from '../../../src/core/model/predict';
import '../../../src/core/model/scorer'; // registers the wasm backend and its file URLs
import { measurerWorker } from '../../../src/engine/measure-off-thread';
import { measure } from '../../../src/core/measures/measures';
import { DETAIL_SIDE, detailCrop, GLOBAL_SIDE, globalView, OVERVIEW_SIDE, overview, toWork, workSize, type Pixels } from '../../../src/core/image/views';

// The bench page: the app's real modules, driven one step at a time by tools/bench. Every
// function returns plain JSON. Timings are performance.now() deltas on this page's thread.

const MODEL_URL = new URL('/model/', location.href).href;
const now = () => performance.now();

declare global {
  interface Window {
    bench: typeof api;
    benchProgress?: (message: string) => void;
  }
  interface Performance {
    memory?: { usedJSHeapSize: number; totalJSHeapSize: number };
  }
}

const longTasks: { start: number; duration: number }[] = [];
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
} catch {
  // no Long Tasks API: counts read as 0, reported as unsupported by `info`
}
const longTasksBetween = (a: number, b: number) => {
  const hits = longTasks.filter((t) => t.start >= a && t.start < b);
  return { count: hits.length, totalMs: hits.reduce((s, t) => s + t.duration, 0), maxMs: Math.max(0, ...hits.map((t) => t.duration)) };
};

const progress = (m: string) => window.benchProgress?.(m);

/** Peaks sampled after every step. */
const peaks = { numTensors: 0, numBytes: 0, jsHeap: 0 };
function sample() {
  const m = tf.memory();
  peaks.numTensors = Math.max(peaks.numTensors, m.numTensors);
  peaks.numBytes = Math.max(peaks.numBytes, m.numBytes);
  peaks.jsHeap = Math.max(peaks.jsHeap, performance.memory?.usedJSHeapSize ?? 0);
}

let bundle: ModelBundle | null = null;
/** As the coach's scorer measures: on a worker beside this thread. */
const measurer = measurerWorker();
let photos: { name: string; blob: Blob }[] = [];

async function useBackend(backend: BackendName) {
  if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) throw new Error(`${backend} did not initialise`);
  await tf.ready();
}

/** Decoded-looking RGBA noise of a given size (fixed LCG), for timing the pipeline on sizes the set lacks. */
function noise(width: number, height: number): Pixels {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, x = 1; i < data.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    data[i] = x >>> 24;
  }
  return { data, width, height, channels: 4 };
}

/** A bench photo's size, from its name (`p01-3000x4000-….jpg`); 0 × 0 for a name without one. */
const sizeOf = (name: string) => {
  const [, w, h] = /-(\d+)x(\d+)-/.exec(name) ?? [0, 0, 0];
  return { width: Number(w), height: Number(h) };
};

const megapixels = (name: string) => {
  const { width, height } = sizeOf(name);
  return (width * height) / 1e6;
};

/** The upper middle of some timings (0 for none). */
const middle = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0;

/** decode → preprocess → model → advice, as the coach does on the page's thread. */
async function scoreBlob(blob: Blob) {
  if (!bundle) throw new Error('cold() first');
  const t0 = now();
  const { bitmap, width, height } = await decodeBlob(blob);
  const t1 = now();
  let score: Score;
  try {
    score = await scorePixels(bundle, bitmapPixels(bitmap), { width, height }, measurer);
  } finally {
    bitmap.close();
  }
  const t2 = now();
  const advice = explain(score, 'en');
  const t3 = now();
  return { totalMs: t3 - t0, decodeMs: t1 - t0, modelMs: t2 - t1, adviceMs: t3 - t2, overall: score.overall, reasons: advice.reasons.length };
}

function bytesUntil(t: number) {
  const out = { total: 0, model: 0, weights: 0, wasm: 0, script: 0, other: 0, files: [] as { name: string; bytes: number }[] };
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  const entries = [...(nav ? [nav] : []), ...(performance.getEntriesByType('resource') as PerformanceResourceTiming[])];
  for (const e of entries) {
    if (e.responseEnd > t || e.name.includes('/bench-photos/')) continue;
    const bytes = e.transferSize;
    const path = new URL(e.name).pathname;
    out.total += bytes;
    if (path.startsWith('/model/')) {
      out.model += bytes;
      if (path.endsWith('.bin')) out.weights += bytes;
    } else if (path.endsWith('.wasm')) out.wasm += bytes;
    else if (path.endsWith('.js')) out.script += bytes;
    else out.other += bytes;
    if (bytes) out.files.push({ name: path, bytes });
  }
  return out;
}

const api = {
  info() {
    return {
      userAgent: navigator.userAgent,
      renderer: webglRenderer(),
      hardwareConcurrency: navigator.hardwareConcurrency,
      longTaskApi: PerformanceObserver.supportedEntryTypes?.includes('longtask') ?? false,
      preciseMemory: !!performance.memory,
    };
  },

  /** Cold start on `backend`, split into its parts, ending with one real photo scored. */
  async cold(backend: BackendName, photoUrl: string) {
    const t0 = now();
    await useBackend(backend);
    const t1 = now();
    const read = cachedModelReader(MODEL_URL);
    bundle = await loadBundle(read);
    const t2 = now();
    await scorePixels(bundle, { data: new Uint8Array(GLOBAL_SIDE * GLOBAL_SIDE * 3).fill(128), width: GLOBAL_SIDE, height: GLOBAL_SIDE, channels: 3 });
    const t3 = now();
    const blob = await (await fetch(photoUrl)).blob(); // the seller's file is local: not timed
    const t4 = now();
    const first = await scoreBlob(blob);
    const t5 = now();
    sample();
    return {
      pageToStartMs: t0,
      backendInitMs: t1 - t0,
      modelFetchMs: t2 - t1,
      warmupMs: t3 - t2,
      firstScoreMs: t5 - t4,
      totalMs: t5 - t0 - (t4 - t3),
      first,
      modelSources: { ...read.sources },
      bytes: bytesUntil(t5),
      modelVersion: bundle.card.version,
    };
  },

  /** Fetches the bench photos into memory (the seller's files are local). */
  async loadPhotos(urls: string[]) {
    photos = await Promise.all(urls.map(async (u) => ({ name: u.split('/').pop()!, blob: await (await fetch(u)).blob() })));
    return photos.length;
  },

  /** Our whole pipeline per photo, warm, on the current backend. */
  async warm(limit = photos.length) {
    const start = now();
    const tensorsBefore = tf.memory().numTensors;
    const rows = [];
    for (const [i, p] of photos.slice(0, limit).entries()) {
      rows.push({ name: p.name, ...(await scoreBlob(p.blob)) });
      sample();
      progress(`photo ${i + 1}/${limit} ${Math.round(rows[i].totalMs)} ms`);
    }
    const end = now();
    return { rows, longTasks: longTasksBetween(start, end), leakedTensors: tf.memory().numTensors - tensorsBefore, peaks: { ...peaks } };
  },

  /** tf.profile of one photo: the true peak bytes and kernel count inside the pipeline. */
  async profile(index = 0) {
    const info = await tf.profile(async () => {
      await scoreBlob(photos[index].blob);
    });
    const byKernel = new Map<string, number>();
    for (const k of info.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0));
    const top = [...byKernel]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([name, ms]) => ({ name, ms: Math.round(ms) }));
    return { photo: photos[index].name, peakBytes: info.peakBytes, newTensors: info.newTensors, kernels: info.kernels.length, top };
  },

  /** Where our model time goes: the backbone alone at its input size, the whole pipeline on a 512² and a 2048×1536 photo (medians of 3, warm). */
  async parts() {
    if (!bundle) throw new Error('cold() first');
    const b = bundle;
    const med3 = async (fn: () => Promise<unknown>) => {
      await fn();
      const ts: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = now();
        await fn();
        ts.push(now() - t0);
      }
      return ts.sort((x, y) => x - y)[1];
    };
    const input = tf.randomUniform([1, GLOBAL_SIDE, GLOBAL_SIDE, 3], 0, 255, 'float32', 1) as tf.Tensor4D;
    try {
      const backboneMs = await med3(async () => {
        const outs = b.backbone.execute(input, BACKBONE_OUTPUTS) as tf.Tensor[];
        await Promise.all(outs.map((o) => o.data()));
        tf.dispose(outs);
      });
      const pipeline512Ms = await med3(() => scorePixels(b, noise(512, 512)));
      const pipeline2048Ms = await med3(() => scorePixels(b, noise(2048, 1536)));
      // the model part of one real photo (the first of 1–5 MP), stage by stage
      const photo = photos.find((p) => megapixels(p.name) >= 1 && megapixels(p.name) <= 5) ?? photos[0];
      const { bitmap, width, height } = await decodeBlob(photo.blob);
      try {
        const px = bitmapPixels(bitmap);
        const views = () => {
          const w = toWork(px);
          const v = globalView(w);
          return { view: v, overview: overview(v), detail: detailCrop(w) };
        };
        const cut = views();
        const stages = {
          photo: photo.name,
          pixelsMs: await med3(async () => bitmapPixels(bitmap)),
          viewsMs: await med3(async () => views()),
          measuresMs: await med3(async () => measure(cut, width, height)),
        };
        return { backboneSide: GLOBAL_SIDE, backboneMs, pipeline512Ms, pipeline2048Ms, stages };
      } finally {
        bitmap.close();
      }
    } finally {
      input.dispose();
    }
  },

  /**
   * What sending one photo's views to a helper worker costs this thread (medians over `rounds`,
   * ms): a structured clone, copies into new arrays moved, copies into arrays kept from before
   * moved (as the measure worker's views are: engine/measure-off-thread.ts), and each round trip.
   */
  async crossing(rounds = 40) {
    const echo = new Worker(URL.createObjectURL(new Blob(['onmessage = (e) => postMessage({ arrays: e.data.back.length ? e.data.arrays : null }, e.data.back)'], { type: 'text/javascript' })));
    const sizes = [GLOBAL_SIDE * GLOBAL_SIDE * 3, OVERVIEW_SIDE * OVERVIEW_SIDE * 3, DETAIL_SIDE * DETAIL_SIDE * 3];
    const views = sizes.map((n) => Float32Array.from({ length: n }, (_, i) => i % 255));
    let kept: Float32Array[] = sizes.map((n) => new Float32Array(n));
    const send = (arrays: Float32Array[], moved: boolean) =>
      new Promise<{ sendMs: number; roundTripMs: number; back: Float32Array[] }>((resolve) => {
        const transfer = moved ? arrays.map((a) => a.buffer) : [];
        let sendMs = 0;
        const t0 = now();
        echo.onmessage = (e: MessageEvent) => resolve({ sendMs, roundTripMs: now() - t0, back: e.data.arrays });
        echo.postMessage({ arrays, back: transfer }, transfer);
        sendMs = now() - t0;
      });
    const ways = { clone: [] as number[][], newMoved: [] as number[][], keptMoved: [] as number[][] };
    for (let r = 0; r < rounds; r++) {
      const c = await send(views, false);
      ways.clone.push([c.sendMs, c.roundTripMs]);
      let t0 = now();
      const fresh = views.map((v) => v.slice());
      const sliceMs = now() - t0;
      const f = await send(fresh, true);
      ways.newMoved.push([sliceMs + f.sendMs, f.roundTripMs]);
      t0 = now();
      kept.forEach((k, i) => k.set(views[i]));
      const copyMs = now() - t0;
      const again = await send(kept, true);
      kept = again.back;
      ways.keptMoved.push([copyMs + again.sendMs, again.roundTripMs]);
    }
    echo.terminate();
    const out = (rows: number[][]) => ({ thisThreadMs: middle(rows.map((x) => x[0])), roundTripMs: middle(rows.map((x) => x[1])) });
    return { megabytes: (sizes.reduce((a, b) => a + b, 0) * 4) / 1e6, clone: out(ways.clone), newMoved: out(ways.newMoved), keptMoved: out(ways.keptMoved) };
  },

  /**
   * Reading a big JPEG's pixels once the decoder has scaled it (ms, medians over the loaded
   * photos the decoder scales): through a bitmap (createImageBitmap, drawImage, getImageData)
   * against copying them out of the frame (VideoFrame.copyTo as RGBA), and how far apart the two
   * readings are (the largest difference of any channel, 0–255).
   */
  async frameRead() {
    const viaBitmap: number[] = [];
    const copied: number[] = [];
    let maxDiff = 0;
    const formats = new Set<string>();
    for (const p of photos) {
      const { width, height } = sizeOf(p.name);
      const target = workSize(width, height);
      if (!width || target.width === width) continue;
      const decoder = new ImageDecoder({ data: await p.blob.arrayBuffer(), type: 'image/jpeg', desiredWidth: target.width, desiredHeight: target.height });
      const { image } = await decoder.decode();
      try {
        if ((image as VideoFrame & { rotation?: number }).rotation) continue;
        formats.add(image.format ?? 'none');
        let t0 = now();
        const bitmap = await createImageBitmap(image);
        const read = bitmapPixels(bitmap).data;
        viaBitmap.push(now() - t0);
        bitmap.close();
        t0 = now();
        const data = new Uint8ClampedArray(image.codedWidth * image.codedHeight * 4);
        await image.copyTo(data, { format: 'RGBA' });
        copied.push(now() - t0);
        for (let i = 0; i < data.length; i++) if ((i & 3) !== 3) maxDiff = Math.max(maxDiff, Math.abs(data[i] - read[i]));
      } finally {
        image.close();
        decoder.close();
      }
    }
    return { photos: copied.length, formats: [...formats], viaBitmapMs: middle(viaBitmap), copiedMs: middle(copied), maxDiff };
  },

  releaseModel() {
    if (bundle) disposeBundle(bundle);
    bundle = null;
  },

  /** The peer: nsfwjs's Keras MobileNetV2 (224×224), loaded on the current backend and warmed. */
  async peerLoad() {
    const t0 = now();
    const { MobileNetV2Model } = (await import('nsfwjs/models/mobilenet_v2')) as unknown as {
      MobileNetV2Model: { modelJson: () => Promise<unknown>; weightBundles: (() => Promise<unknown>)[] };
    };
    const unwrap = <T>(m: unknown) => ((m as { default?: T }).default ?? m) as T;
    const json = unwrap<{ modelTopology: object; weightsManifest: tf.io.WeightsManifestConfig }>(await MobileNetV2Model.modelJson());
    const b64 = unwrap<string>(await MobileNetV2Model.weightBundles[0]());
    const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    peer = await tf.loadLayersModel({
      load: async () => ({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: bin.buffer }),
    });
    const t1 = now();
    const y = tf.tidy(() => peer!.predict(tf.zeros([1, 224, 224, 3])) as tf.Tensor);
    await y.data();
    y.dispose();
    return { loadMs: t1 - t0, warmupMs: now() - t1, outputShape: (peer.outputs[0].shape as number[]).slice(1) };
  },

  /** The peer per photo: model-only time (224×224 input ready), and with decode and resize. */
  async peerRun(limit = photos.length) {
    if (!peer) throw new Error('peerLoad() first');
    const start = now();
    const rows = [];
    for (const [i, p] of photos.slice(0, limit).entries()) {
      const t0 = now();
      const { bitmap } = await decodeBlob(p.blob);
      const x = tf.tidy(() => tf.image.resizeBilinear(tf.browser.fromPixels(bitmap), [224, 224]).div(255).expandDims(0));
      bitmap.close();
      await x.data(); // the input is ready before the model-only clock starts
      const t1 = now();
      const y = peer.predict(x) as tf.Tensor;
      await y.data();
      const t2 = now();
      x.dispose();
      y.dispose();
      sample();
      rows.push({ name: p.name, modelMs: t2 - t1, totalMs: t2 - t0 });
      progress(`peer ${i + 1}/${limit} ${Math.round(t2 - t1)} ms`);
    }
    return { rows, longTasks: longTasksBetween(start, now()) };
  },

  peerRelease() {
    peer?.dispose();
    peer = null;
  },

  /** The production worker path (engine → worker → decode + score); long tasks on this page. */
  async worker(backend: BackendName, limit = photos.length) {
    const t0 = now();
    const engine = createEngine({ modelUrl: MODEL_URL, thread: 'worker', backends: [backend] });
    try {
      const info = await engine.ready;
      const readyMs = now() - t0;
      const start = now();
      const rows = [];
      for (const [i, p] of photos.slice(0, limit).entries()) {
        const a = now();
        const score = await engine.score(p.blob);
        const adviceStart = now();
        explain(score, 'en');
        rows.push({ name: p.name, totalMs: now() - a, adviceMs: now() - adviceStart });
        progress(`worker ${i + 1}/${limit} ${Math.round(now() - a)} ms`);
      }
      return { info, readyMs, rows, longTasks: longTasksBetween(start, now()), pageLongTasksDuringReady: longTasksBetween(t0, start) };
    } finally {
      engine.dispose();
    }
  },

  /**
   * The way sellers pick photos: every loaded photo added at once, beside the same photos one at
   * a time through the same engine, and the peer with its own decode one after another; all from
   * blobs already in memory. The phases below one call at a time, for bench.ts to take each
   * one's CPU; this whole, as older builds' pages answer it (`--baseline`).
   */
  async batch(backend: BackendName) {
    if (!peer) throw new Error('peerLoad() first');
    const engine = await warmEngine(backend);
    try {
      const singly = await scorePhotos(engine, 'singly');
      const atOnce = await scorePhotos(engine, 'at-once');
      return batchResult(singly, atOnce, await peerOneByOne());
    } finally {
      engine.dispose();
    }
  },
  async batchEngine(backend: BackendName) {
    phaseEngine?.dispose();
    phaseEngine = await warmEngine(backend);
  },
  batchPhase(phase: 'singly' | 'at-once') {
    if (!phaseEngine) throw new Error('batchEngine() first');
    return scorePhotos(phaseEngine, phase);
  },
  batchPeer: () => peerOneByOne(),
  batchEngineDispose() {
    phaseEngine?.dispose();
    phaseEngine = null;
  },

  /** The measured backend choice, as a fresh device makes it (nothing remembered). */
  async choice() {
    const t0 = now();
    const { scorer, choice } = await loadMeasuredScorer({ modelUrl: MODEL_URL, store: null });
    const ms = now() - t0;
    scorer.dispose();
    return { choice, totalMs: ms };
  },
};

let peer: tf.LayersModel | null = null;
let phaseEngine: ReturnType<typeof createEngine> | null = null;

/** A worker engine on `backend`, warmed by one photo: the worker's own warm-up is not part of a seller's batch. */
async function warmEngine(backend: BackendName) {
  const engine = createEngine({ modelUrl: MODEL_URL, thread: 'worker', backends: [backend] });
  await engine.ready;
  await engine.score(photos[0].blob);
  return engine;
}

/** When each photo's score arrived, in ms from the start: handed to the engine one at a time, or all at once. */
async function scorePhotos(engine: ReturnType<typeof createEngine>, phase: 'singly' | 'at-once'): Promise<number[]> {
  const t0 = now();
  const arrived = (i: number) => {
    progress(`batch ${phase} ${i + 1}/${photos.length}`);
    return now() - t0;
  };
  if (phase === 'at-once') return Promise.all(photos.map((p, i) => engine.score(p.blob).then(() => arrived(i))));
  const out: number[] = [];
  for (const [i, p] of photos.entries()) {
    await engine.score(p.blob);
    out.push(arrived(i));
  }
  return out;
}

/** The peer with its own decode, one photo after another: when each finished, in ms from the start. */
async function peerOneByOne(): Promise<number[]> {
  if (!peer) throw new Error('peerLoad() first');
  const model = peer;
  const p0 = now();
  const theirs: number[] = [];
  for (const p of photos) {
    const { bitmap } = await decodeBlob(p.blob);
    const x = tf.tidy(() => tf.image.resizeBilinear(tf.browser.fromPixels(bitmap), [224, 224]).div(255).expandDims(0));
    bitmap.close();
    const y = model.predict(x) as tf.Tensor;
    await y.data();
    x.dispose();
    y.dispose();
    theirs.push(now() - p0);
  }
  return theirs;
}
window.bench = api;
document.body.dataset.ready = '1';
