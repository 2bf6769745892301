/**
 * Float arrays kept for the next photo once one is done with them (its views, the copies a
 * worker handed back): filling a photo's 3.3 MB of views into kept arrays costs about 0.3 ms,
 * into new ones about 2 (allocating them and first touching their pages; `npm run
 * bench:profile`, Chromium here), and the new ones are garbage to collect a photo later. At most
 * `size` are kept, the oldest dropped first.
 */
export interface FloatPool {
  /** A kept array of this length, or a new one. Its contents are stale: overwrite it. */
  take(length: number): Float32Array;
  give(array: Float32Array): void;
}

export function floatPool(size = 6): FloatPool {
  const kept: Float32Array[] = [];
  return {
    take(length) {
      const i = kept.findIndex((a) => a.length === length);
      return i < 0 ? new Float32Array(length) : kept.splice(i, 1)[0];
    },
    give(array) {
      if (array.byteLength === 0) return; // detached: moved elsewhere meanwhile
      kept.push(array);
      if (kept.length > size) kept.shift();
    },
  };
}
