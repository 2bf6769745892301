import { CoachError } from '../errors';
import type { ReadModelFile } from './bundle';
import { sha256Hex, type FileDigests } from './integrity';

// The model is fetched once per version and kept in Cache Storage, so a returning seller (or a
// second coach iframe) starts without the ~4 MB download. model-card.json is the only file asked
// of the network each time (revalidated, a few KB): its `version` names the cache that holds the
// rest. Old versions' caches are deleted once the new one is in use. Where Cache Storage is
// missing or refuses (opaque origins, some private modes, a full quota), files come straight
// from fetch and the failure is logged, never thrown: the cache only saves a download.

export const CACHE_PREFIX = 'photo-coach-model-';
const CARD = 'model-card.json';

/** The parts of the Cache Storage API this module uses (a fake in tests). */
export interface CacheLike {
  match(request: string): Promise<Response | undefined>;
  put(request: string, response: Response): Promise<void>;
  delete(request: string): Promise<boolean>;
}
export interface CacheStorageLike {
  open(name: string): Promise<CacheLike>;
  keys(): Promise<string[]>;
  delete(name: string): Promise<boolean>;
}

export interface ModelCacheOptions {
  fetch?: typeof fetch;
  /** null turns caching off; default: globalThis.caches where it exists. */
  caches?: CacheStorageLike | null;
  /** Where cache failures are reported (default: console.warn). */
  warn?: (message: string, error: unknown) => void;
}

export interface CachedModelReader extends ReadModelFile {
  /** What the last read was served from, per file, for the bench and the debug panel. */
  readonly sources: Record<string, 'network' | 'cache'>;
}

const cacheName = (version: string) => `${CACHE_PREFIX}${version.replace(/[^\w.-]/g, '_')}`;

function defaultCaches(): CacheStorageLike | null {
  try {
    return (globalThis as { caches?: CacheStorageLike }).caches ?? null;
  } catch {
    return null; // e.g. a SecurityError on opaque origins
  }
}

/** A ReadModelFile over fetch plus Cache Storage keyed by the model card's version. */
export function cachedModelReader(modelUrl: string, options: ModelCacheOptions = {}): CachedModelReader {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const storage = options.caches === undefined ? defaultCaches() : options.caches;
  const base = new URL(modelUrl.endsWith('/') ? modelUrl : `${modelUrl}/`, globalThis.location?.href);
  const urlOf = (path: string) => new URL(path, base).href;
  const sources: Record<string, 'network' | 'cache'> = {};
  const warn = options.warn ?? ((message, error) => console.warn(`photo-coach: ${message}`, error));

  async function network(path: string, init?: RequestInit): Promise<Response> {
    const url = urlOf(path);
    let res: Response;
    try {
      res = await doFetch(url, init);
    } catch (e) {
      throw new CoachError('MODEL_LOAD_FAILED', `could not fetch ${url}: ${(e as Error).message}`, { cause: e });
    }
    if (!res.ok) throw new CoachError('MODEL_LOAD_FAILED', `${url} answered ${res.status}`);
    return res;
  }

  // The card decides the cache; read once per reader.
  let opened: Promise<{ card: ArrayBuffer; cache: CacheLike | null }> | undefined;
  const open = () =>
    (opened ??= (async () => {
      const card = await (await network(CARD, { cache: 'no-cache' })).arrayBuffer();
      sources[CARD] = 'network';
      const cache = storage ? await openVersion(storage, card, warn) : null;
      return { card, cache };
    })());

  const read = (async (path: string): Promise<ArrayBuffer> => {
    const { card, cache } = await open();
    if (path === CARD) return card.slice(0);
    const url = urlOf(path);
    // Only files that match the card's digest are kept or served from the cache: a cut-short
    // download must not live on in it and fail every visit after (loadBundle checks again, and
    // says what is wrong).
    const intact = async (b: ArrayBuffer) => {
      const want = digestsOf(card)[path];
      return !want || (b.byteLength === want.bytes && (await sha256Hex(b)) === want.sha256);
    };
    const cached = cache ? await fromCache(cache, url) : undefined;
    if (cached && (await intact(cached))) {
      sources[path] = 'cache';
      return cached;
    }
    if (cached) {
      warn(`the cached ${path} does not match the model card; fetching it again`, undefined);
      await cache!.delete(url).catch(() => false);
    }
    const res = await network(path);
    sources[path] = 'network';
    const body = await res.arrayBuffer();
    // a failed put (quota) only costs the next visit a download
    if (cache && (await intact(body))) {
      const copy = new Response(body.slice(0), { headers: { 'content-type': res.headers.get('content-type') ?? 'application/octet-stream' } });
      await cache.put(url, copy).catch((e) => warn(`could not cache ${path}; the next visit downloads it again`, e));
    }
    return body;
  }) as CachedModelReader;

  async function fromCache(cache: CacheLike, url: string): Promise<ArrayBuffer | undefined> {
    try {
      return await (await cache.match(url))?.arrayBuffer();
    } catch (e) {
      warn(`could not read ${url} from Cache Storage; fetching it`, e);
      return undefined;
    }
  }
  Object.defineProperty(read, 'sources', { value: sources });
  return read;
}

function digestsOf(card: ArrayBuffer): FileDigests {
  try {
    return (JSON.parse(new TextDecoder().decode(card)) as { files?: FileDigests }).files ?? {};
  } catch {
    return {};
  }
}

/** Opens the cache named for the card's version and deletes other versions' caches. */
async function openVersion(storage: CacheStorageLike, card: ArrayBuffer, warn: (message: string, error: unknown) => void): Promise<CacheLike | null> {
  let version: unknown;
  try {
    version = JSON.parse(new TextDecoder().decode(card)).version;
  } catch {
    return null; // loadBundle reports the broken card
  }
  if (typeof version !== 'string' || !version) return null;
  const name = cacheName(version);
  let cache: CacheLike;
  try {
    cache = await storage.open(name);
  } catch (e) {
    warn('Cache Storage is unavailable; the model is fetched from the network', e);
    return null;
  }
  try {
    const stale = (await storage.keys()).filter((k) => k.startsWith(CACHE_PREFIX) && k !== name);
    await Promise.all(stale.map((k) => storage.delete(k)));
  } catch (e) {
    warn('could not delete old model versions from Cache Storage', e);
  }
  return cache;
}
