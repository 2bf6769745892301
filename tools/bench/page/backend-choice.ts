import { isSoftwareRenderer as isSoftware } from '../../../src/core/model/renderer';
import type { BackendName } from '../../../src/core/engine-types';

// Which tfjs backend runs the model on this device, decided by timing the real model once per
// device and model version, and remembered. WebGL on a software renderer (SwiftShader, llvmpipe)
// is often slower than wasm SIMD; on a real GPU WebGL is the default and keeps the page's CPU
// free, so it is kept while within GPU_MARGIN of the fastest.

/** On a real GPU, WebGL is kept while within this fraction of the fastest backend's time. */
export const GPU_MARGIN = 0.1;
const KEY_PREFIX = 'photo-coach:backend:';

export interface BackendTiming {
  backend: BackendName;
  /** Timed runs after one untimed warm run, in ms; empty when not timed. */
  ms: number[];
  /** Why it was not timed or failed. */
  note?: string;
}

export interface BackendChoice {
  backend: BackendName;
  /** One line for the debug panel, e.g. "wasm 52 ms vs webgl 380 ms (SwiftShader renderer: software)". */
  reason: string;
  timings: BackendTiming[];
  renderer: string;
  software: boolean;
  modelVersion: string;
  /** 'measured' now, or 'remembered' from an earlier measurement on this device. */
  source: 'measured' | 'remembered';
  at: string;
}

/** Where choices are remembered: localStorage on a page, Cache Storage in a worker, a Map in tests. */
export interface ChoiceStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  entries(): Promise<[string, string][]>;
}

export interface ChooseOptions {
  modelVersion: string;
  /** The WebGL renderer string (see webglRenderer); '' when there is no WebGL. */
  renderer: string;
  /**
   * Timed in order; default webgl then wasm on a GPU, wasm then webgl on a software renderer.
   * cpu is timed only when none of these runs.
   */
  candidates?: BackendName[];
  /**
   * Time WebGL on a software renderer even when another backend already ran. Off by default:
   * there it is 10–20× slower than wasm for this model (tools/bench/RESULTS.md) and its first
   * run alone can take a minute on a busy CPU.
   */
  timeSoftwareWebgl?: boolean;
  /** Runs the real model on `backend`: one untimed warm run, then `runs` timed runs (ms). */
  time(backend: BackendName, runs: number): Promise<number[]>;
  runs?: number;
  /** Stop timing further candidates once this much time (ms) went into measuring. */
  budgetMs?: number;
  store?: ChoiceStore | null;
  /** Measure again even when a choice is remembered. */
  remeasure?: boolean;
  now?: () => number;
}

/** No WebGL at all counts as software: nothing keeps the page's CPU free. */
export const isSoftwareRenderer = (renderer: string) => !renderer || isSoftware(renderer);

export const choiceKey = (modelVersion: string, renderer: string) => `${KEY_PREFIX}${modelVersion}|${renderer || 'no-webgl'}`;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x: number) => `${Math.round(x)} ms`;

function rendererNote(renderer: string, software: boolean): string {
  if (!renderer) return 'no WebGL';
  const name = /swiftshader/i.test(renderer) ? 'SwiftShader' : /llvmpipe/i.test(renderer) ? 'llvmpipe' : renderer.slice(0, 60);
  return `${name} renderer: ${software ? 'software' : 'GPU'}`;
}

/** Picks from timings (pure): the fastest median, with WebGL kept on a real GPU while within GPU_MARGIN of it. */
export function decide(timings: BackendTiming[], renderer: string): { backend: BackendName; reason: string } | null {
  const software = isSoftwareRenderer(renderer);
  const timed = timings.filter((t) => t.ms.length).map((t) => ({ backend: t.backend, m: median(t.ms) }));
  if (!timed.length) return null;
  timed.sort((a, b) => a.m - b.m);
  let pick = timed[0];
  const webgl = timed.find((t) => t.backend === 'webgl');
  const kept = !software && webgl && webgl !== pick && webgl.m <= pick.m * (1 + GPU_MARGIN);
  if (kept) pick = webgl;
  const others = timed.filter((t) => t !== pick).map((t) => `${t.backend} ${ms(t.m)}`);
  const failed = timings.filter((t) => !t.ms.length).map((t) => `${t.backend}: ${t.note ?? 'not timed'}`);
  let reason = `${pick.backend} ${ms(pick.m)}${others.length ? ` vs ${others.join(', ')}` : ''}`;
  if (kept) reason += ` (WebGL kept on a GPU: within ${GPU_MARGIN * 100}% of the fastest)`;
  reason += ` (${rendererNote(renderer, software)})`;
  if (failed.length) reason += `; ${failed.join('; ')}`;
  return { backend: pick.backend, reason };
}

const SOFTWARE_WEBGL_NOTE = 'not timed: software renderer, where WebGL runs this model 10–20× slower than wasm';

async function timeAll(opts: ChooseOptions, candidates: BackendName[]): Promise<BackendTiming[]> {
  const now = opts.now ?? (() => performance.now());
  const budget = opts.budgetMs ?? 8000;
  const started = now();
  const timings: BackendTiming[] = [];
  for (const backend of candidates) {
    const software = backend === 'webgl' && isSoftwareRenderer(opts.renderer) && !opts.timeSoftwareWebgl;
    if (software && timings.some((t) => t.ms.length)) {
      timings.push({ backend, ms: [], note: SOFTWARE_WEBGL_NOTE });
      continue;
    }
    if (now() - started > budget) {
      timings.push({ backend, ms: [], note: `not timed: the ${ms(budget)} budget was spent` });
      continue;
    }
    try {
      timings.push({ backend, ms: await opts.time(backend, opts.runs ?? 2) });
    } catch (e) {
      timings.push({ backend, ms: [], note: `failed: ${(e as Error).message}` });
    }
  }
  return timings;
}

/** The remembered choice for this device and model, or a new measurement (then remembered). */
export async function chooseBackend(opts: ChooseOptions): Promise<BackendChoice> {
  const store = opts.store === undefined ? defaultChoiceStore() : opts.store;
  const key = choiceKey(opts.modelVersion, opts.renderer);
  if (store && !opts.remeasure) {
    const old = parseChoice(await store.get(key).catch(() => null));
    if (old) return { ...old, source: 'remembered' };
  }
  const software = isSoftwareRenderer(opts.renderer);
  const order: BackendName[] = software ? ['wasm', 'webgl'] : ['webgl', 'wasm'];
  const candidates = (opts.candidates ?? order).filter((b) => b !== 'webgl' || opts.renderer);
  let timings = await timeAll(opts, candidates);
  let picked = decide(timings, opts.renderer);
  if (!picked && !candidates.includes('cpu')) {
    timings = [...timings, ...(await timeAll({ ...opts, budgetMs: Infinity }, ['cpu']))];
    picked = decide(timings, opts.renderer);
  }
  if (!picked) throw new Error(`no backend ran the model (${timings.map((t) => `${t.backend}: ${t.note}`).join('; ')})`);
  const choice: BackendChoice = {
    ...picked,
    timings,
    renderer: opts.renderer,
    software: isSoftwareRenderer(opts.renderer),
    modelVersion: opts.modelVersion,
    source: 'measured',
    at: new Date().toISOString(),
  };
  await store?.set(key, JSON.stringify(choice)).catch(() => {});
  return choice;
}

function parseChoice(json: string | null): BackendChoice | null {
  if (!json) return null;
  try {
    const c = JSON.parse(json) as BackendChoice;
    return typeof c.backend === 'string' && typeof c.reason === 'string' ? c : null;
  } catch {
    return null;
  }
}

/** The WebGL renderer string (unmasked where the browser allows), or '' without WebGL. */
export function mapStore(map = new Map<string, string>()): ChoiceStore {
  return {
    get: async (k) => map.get(k) ?? null,
    set: async (k, v) => void map.set(k, v),
    entries: async () => [...map.entries()].filter(([k]) => k.startsWith(KEY_PREFIX)),
  };
}

export function localStorageStore(ls: Storage): ChoiceStore {
  return {
    get: async (k) => ls.getItem(k),
    set: async (k, v) => ls.setItem(k, v),
    entries: async () =>
      Array.from({ length: ls.length }, (_, i) => ls.key(i))
        .filter((k): k is string => !!k && k.startsWith(KEY_PREFIX))
        .map((k) => [k, ls.getItem(k) ?? ''] as [string, string]),
  };
}

/** Workers have no localStorage; Cache Storage is shared with the page (same origin). */
export function cacheStorageStore(storage: CacheStorage, name = 'photo-coach-settings'): ChoiceStore {
  const url = (k: string) => `https://photo-coach.invalid/${encodeURIComponent(k)}`;
  return {
    get: async (k) => (await (await storage.open(name)).match(url(k)))?.text() ?? null,
    set: async (k, v) => (await storage.open(name)).put(url(k), new Response(v)),
    async entries() {
      const cache = await storage.open(name);
      const out: [string, string][] = [];
      for (const req of await cache.keys()) {
        const k = decodeURIComponent(new URL(req.url).pathname.slice(1));
        if (k.startsWith(KEY_PREFIX)) out.push([k, (await (await cache.match(req))?.text()) ?? '']);
      }
      return out;
    },
  };
}

/** localStorage where there is one (a page), else Cache Storage (a worker), else nothing. */
export function defaultChoiceStore(): ChoiceStore | null {
  try {
    if (typeof localStorage !== 'undefined' && localStorage) return localStorageStore(localStorage);
  } catch {
    // blocked storage (third-party iframe with storage partitioning off, private modes)
  }
  try {
    if (typeof caches !== 'undefined') return cacheStorageStore(caches);
  } catch {
    // opaque origin
  }
  return null;
}
