import type { CacheLike, CacheStorageLike } from '../../../src/core/model/model-cache';

export interface FakeCachesOptions {
  failOpen?: boolean;
  failPut?: boolean;
  failMatch?: boolean;
  failKeys?: boolean;
}

/** An in-memory Cache Storage with switchable failures (SecurityError, QuotaExceededError). */
export function fakeCaches(opts: FakeCachesOptions = {}) {
  const stores = new Map<string, Map<string, ArrayBuffer>>();
  const storage: CacheStorageLike = {
    async open(name) {
      if (opts.failOpen) throw new DOMException('denied', 'SecurityError');
      if (!stores.has(name)) stores.set(name, new Map());
      const m = stores.get(name)!;
      const cache: CacheLike = {
        async match(url) {
          if (opts.failMatch) throw new DOMException('entry unreadable', 'UnknownError');
          const b = m.get(url);
          return b ? new Response(b.slice(0)) : undefined;
        },
        async put(url, res) {
          if (opts.failPut) throw new DOMException('quota', 'QuotaExceededError');
          m.set(url, await res.arrayBuffer());
        },
        async delete(url) {
          return m.delete(url);
        },
      };
      return cache;
    },
    async keys() {
      if (opts.failKeys) throw new DOMException('denied', 'UnknownError');
      return [...stores.keys()];
    },
    async delete(name) {
      return stores.delete(name);
    },
  };
  return { storage, stores };
}
