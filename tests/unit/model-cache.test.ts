import { CACHE_PREFIX, cachedModelReader, type CacheLike, type CacheStorageLike } from '../../src/core/model/model-cache';

const BASE = 'https://coach.example/model/';
const text = (b: ArrayBuffer) => new TextDecoder().decode(b);

function fakeServer(files: Record<string, string>) {
  const calls: { url: string; cache?: RequestCache }[] = [];
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, cache: init?.cache });
    const path = url.slice(BASE.length);
    if (!(path in files)) return new Response('missing', { status: 404 });
    return new Response(files[path], { headers: { 'content-type': 'application/octet-stream' } });
  }) as typeof fetch;
  return { fetchFn, calls, files };
}

function fakeCaches(opts: { failOpen?: boolean } = {}) {
  const stores = new Map<string, Map<string, ArrayBuffer>>();
  const storage: CacheStorageLike = {
    async open(name) {
      if (opts.failOpen) throw new DOMException('denied', 'SecurityError');
      if (!stores.has(name)) stores.set(name, new Map());
      const m = stores.get(name)!;
      const cache: CacheLike = {
        async match(url) {
          const b = m.get(url);
          return b ? new Response(b.slice(0)) : undefined;
        },
        async put(url, res) {
          m.set(url, await res.arrayBuffer());
        },
      };
      return cache;
    },
    async keys() {
      return [...stores.keys()];
    },
    async delete(name) {
      return stores.delete(name);
    },
  };
  return { storage, stores };
}

const card = (version: string) => JSON.stringify({ version });

describe('cachedModelReader', () => {
  it('fetches each file once per version, then serves it from the cache', async () => {
    const server = fakeServer({ 'model-card.json': card('1.0.0'), 'backbone/weights.bin': 'WEIGHTS' });
    const { storage, stores } = fakeCaches();

    const first = cachedModelReader(BASE, { fetch: server.fetchFn, caches: storage });
    expect(text(await first('backbone/weights.bin'))).toBe('WEIGHTS');
    expect(first.sources['backbone/weights.bin']).toBe('network');
    expect([...stores.keys()]).toEqual([`${CACHE_PREFIX}1.0.0`]);

    server.calls.length = 0;
    const second = cachedModelReader(BASE, { fetch: server.fetchFn, caches: storage });
    expect(text(await second('model-card.json'))).toContain('1.0.0');
    expect(text(await second('backbone/weights.bin'))).toBe('WEIGHTS');
    expect(second.sources['backbone/weights.bin']).toBe('cache');
    // only the card goes to the network, and it is revalidated
    expect(server.calls).toEqual([{ url: `${BASE}model-card.json`, cache: 'no-cache' }]);
  });

  it('a new model version downloads again and deletes the old version’s cache', async () => {
    const server = fakeServer({ 'model-card.json': card('1.0.0'), 'w.bin': 'OLD' });
    const { storage, stores } = fakeCaches();
    await cachedModelReader(BASE, { fetch: server.fetchFn, caches: storage })('w.bin');
    stores.set('unrelated-app-cache', new Map());

    server.files['model-card.json'] = card('2.0.0');
    server.files['w.bin'] = 'NEW';
    const read = cachedModelReader(BASE, { fetch: server.fetchFn, caches: storage });
    expect(text(await read('w.bin'))).toBe('NEW');
    expect(read.sources['w.bin']).toBe('network');
    expect([...stores.keys()].sort()).toEqual([`${CACHE_PREFIX}2.0.0`, 'unrelated-app-cache']);
  });

  it('falls back to plain fetch without Cache Storage, or when opening it fails', async () => {
    for (const caches of [null, fakeCaches({ failOpen: true }).storage]) {
      const server = fakeServer({ 'model-card.json': card('1.0.0'), 'w.bin': 'W' });
      const read = cachedModelReader(BASE, { fetch: server.fetchFn, caches });
      expect(text(await read('w.bin'))).toBe('W');
      expect(text(await read('w.bin'))).toBe('W');
      expect(server.calls.map((c) => c.url)).toEqual([`${BASE}model-card.json`, `${BASE}w.bin`, `${BASE}w.bin`]);
    }
  });

  it('reports missing files as MODEL_LOAD_FAILED and caches nothing for them', async () => {
    const server = fakeServer({ 'model-card.json': card('1.0.0') });
    const { storage, stores } = fakeCaches();
    const read = cachedModelReader(BASE, { fetch: server.fetchFn, caches: storage });
    await expect(read('head/weights.bin')).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED' });
    expect(stores.get(`${CACHE_PREFIX}1.0.0`)?.size).toBe(0);
  });

  it('a card that cannot be fetched fails the load', async () => {
    const server = fakeServer({});
    const read = cachedModelReader(BASE, { fetch: server.fetchFn, caches: fakeCaches().storage });
    await expect(read('model-card.json')).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringContaining('404') });
  });
});
