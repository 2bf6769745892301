/**
 * Float arrays a worker handed back, kept for the next photo's copies: filling a kept 3 MB array
 * costs the calling thread about 0.2 ms, a new one about 3 (allocating it and first touching
 * its pages; measured in Chromium here). At most `size` are kept, the oldest dropped first.
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
