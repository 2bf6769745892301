import { digestOf } from '../../src/core/model/integrity';
import { CACHE_PREFIX, cachedModelReader } from '../../src/core/model/model-cache';
import { fakeCaches } from './helpers/fake-caches';

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

  it('falls back to plain fetch without Cache Storage, or when opening it fails, and says why', async () => {
    for (const caches of [null, fakeCaches({ failOpen: true }).storage]) {
      const server = fakeServer({ 'model-card.json': card('1.0.0'), 'w.bin': 'W' });
      const warn = vi.fn();
      const read = cachedModelReader(BASE, { fetch: server.fetchFn, caches, warn });
      expect(text(await read('w.bin'))).toBe('W');
      expect(text(await read('w.bin'))).toBe('W');
      expect(server.calls.map((c) => c.url)).toEqual([`${BASE}model-card.json`, `${BASE}w.bin`, `${BASE}w.bin`]);
      if (caches) expect(warn).toHaveBeenCalledWith(expect.stringContaining('Cache Storage is unavailable'), expect.objectContaining({ name: 'SecurityError' }));
      else expect(warn).not.toHaveBeenCalled();
    }
  });

  it('a full quota or an unreadable entry costs a download, logged, never an error', async () => {
    const server = fakeServer({ 'model-card.json': card('1.0.0'), 'w.bin': 'W' });
    const warn = vi.fn();
    const full = fakeCaches({ failPut: true });
    const read = cachedModelReader(BASE, { fetch: server.fetchFn, caches: full.storage, warn });
    expect(text(await read('w.bin'))).toBe('W');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('could not cache w.bin'), expect.objectContaining({ name: 'QuotaExceededError' }));

    warn.mockClear();
    const unreadable = fakeCaches({ failMatch: true });
    const again = cachedModelReader(BASE, { fetch: server.fetchFn, caches: unreadable.storage, warn });
    expect(text(await again('w.bin'))).toBe('W');
    expect(again.sources['w.bin']).toBe('network');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`could not read ${BASE}w.bin`), expect.anything());
  });

  it('still caches when old versions cannot be listed', async () => {
    const server = fakeServer({ 'model-card.json': card('1.0.0'), 'w.bin': 'W' });
    const warn = vi.fn();
    const { storage } = fakeCaches({ failKeys: true });
    await cachedModelReader(BASE, { fetch: server.fetchFn, caches: storage, warn })('w.bin');
    const second = cachedModelReader(BASE, { fetch: server.fetchFn, caches: storage, warn });
    expect(text(await second('w.bin'))).toBe('W');
    expect(second.sources['w.bin']).toBe('cache');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('could not delete old model versions'), expect.anything());
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

  it('never keeps a file that does not match the card, and drops a damaged cached copy', async () => {
    const files = { 'backbone/weights.bin': await digestOf(new TextEncoder().encode('WEIGHTS')) };
    const server = fakeServer({ 'model-card.json': JSON.stringify({ version: '2.0.0', files }), 'backbone/weights.bin': 'WEIGH' });
    const { storage, stores } = fakeCaches();
    const warnings: string[] = [];
    const opts = { fetch: server.fetchFn, caches: storage, warn: (m: string) => warnings.push(m) };
    // a cut-short download is handed on (loadBundle refuses it, saying why) but not cached
    expect(text(await cachedModelReader(BASE, opts)('backbone/weights.bin'))).toBe('WEIGH');
    expect(stores.get(`${CACHE_PREFIX}2.0.0`)!.size).toBe(0);
    // the server is fixed: the next visit downloads it and keeps it
    server.files['backbone/weights.bin'] = 'WEIGHTS';
    expect(text(await cachedModelReader(BASE, opts)('backbone/weights.bin'))).toBe('WEIGHTS');
    expect(stores.get(`${CACHE_PREFIX}2.0.0`)!.size).toBe(1);
    // a cached copy damaged on disk is dropped and fetched again
    stores.get(`${CACHE_PREFIX}2.0.0`)!.set(`${BASE}backbone/weights.bin`, new TextEncoder().encode('WEIGHTZ').buffer as ArrayBuffer);
    const third = cachedModelReader(BASE, opts);
    expect(text(await third('backbone/weights.bin'))).toBe('WEIGHTS');
    expect(third.sources['backbone/weights.bin']).toBe('network');
    expect(warnings.some((w) => /does not match the model card/.test(w))).toBe(true);
  });
});
