import { describe, expect, it } from 'vitest';
import { floatPool } from '../../src/core/image/float-pool';

describe('floatPool', () => {
  it('hands back a kept array of the length asked for, once, and a new one otherwise', () => {
    const pool = floatPool();
    const a = new Float32Array(12);
    pool.give(a);
    expect(pool.take(8)).not.toBe(a);
    expect(pool.take(12)).toBe(a);
    const again = pool.take(12);
    expect(again).not.toBe(a);
    expect(again).toHaveLength(12);
  });

  it('keeps at most its size, dropping the oldest, and never a detached array', () => {
    const pool = floatPool(2);
    const [a, b, c] = [new Float32Array(4), new Float32Array(4), new Float32Array(4)];
    for (const x of [a, b, c]) pool.give(x);
    const moved = new Float32Array(4);
    structuredClone(moved, { transfer: [moved.buffer] });
    pool.give(moved);
    const taken = [pool.take(4), pool.take(4), pool.take(4)];
    expect(taken.slice(0, 2)).toEqual([b, c]);
    expect(taken[0]).toBe(b);
    expect(taken[1]).toBe(c);
    expect([a, b, c, moved]).not.toContain(taken[2]);
    expect(taken[2].byteLength).toBe(16);
  });
});
