import * as tf from '@tensorflow/tfjs';
import { encodeWeights, perChannelUint8, quantizeUint8, toHalf } from '../../tools/model/weights';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBackboneFiles, pruneGraph } from '../../tools/model/backbone-source';
import { uprightRgb } from '../../tools/model/decode-node';

describe('weight encodings round-trip through tfjs decoding', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('toHalf matches known half-precision bit patterns', () => {
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(-2)).toBe(0xc000);
    expect(toHalf(65504)).toBe(0x7bff);
    expect(toHalf(1e6)).toBe(0x7c00); // overflow → infinity
    expect(toHalf(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toHalf(0.1)).toBe(0x2e66);
  });

  it('float16 and uint8 stay within their tolerance; int32 is exact', () => {
    const values = Array.from({ length: 500 }, (_, i) => Math.sin(i * 1.7) * 3);
    const w = [
      { name: 'a', tensor: tf.tensor1d(values) },
      { name: 'b', tensor: tf.tensor1d(values) },
      { name: 'c', tensor: tf.tensor1d([1, -7, 300], 'int32') },
    ];
    const { specs, data } = encodeWeights(w, (n) => (n === 'a' ? 'float16' : 'uint8'));
    expect(data.length).toBe(500 * 2 + 500 + 3 * 4);
    const back = tf.io.decodeWeights(data.buffer as ArrayBuffer, specs);
    const maxErr = (t: tf.Tensor) => Math.max(...Array.from(t.dataSync()).map((v, i) => Math.abs(v - values[i])));
    expect(maxErr(back.a)).toBeLessThan(3 * 2 ** -11);
    expect(maxErr(back.b)).toBeLessThanOrEqual(6 / 255 / 2 + 1e-6);
    expect(Array.from(back.c.dataSync())).toEqual([1, -7, 300]);
  });

  it('quantizeUint8 spans min…max', () => {
    const { q, min, scale } = quantizeUint8(new Float32Array([-1, 0, 1]));
    expect(min).toBe(-1);
    expect(scale).toBeCloseTo(2 / 255, 9);
    expect(Array.from(q)).toEqual([0, 128, 255]);
  });
});

describe('per-channel uint8', () => {
  it('gives each output channel its own range, so a small channel keeps its precision', () => {
    // two output channels, interleaved as the last axis of a filter: one ±100, one ±0.01
    const values = new Float32Array(Array.from({ length: 200 }, (_, i) => (i % 2 ? 0.01 : 100) * Math.sin(i * 0.37)));
    const { decoded, bytes } = perChannelUint8(values, 2);
    expect(bytes).toBe(200 + 2 * 8);
    for (let i = 0; i < 200; i++) expect(Math.abs(decoded[i] - values[i])).toBeLessThanOrEqual(((i % 2 ? 0.02 : 200) / 255) * 0.5 + 1e-7);
    // per tensor, the small channel rounds to nothing but a few levels
    const { q, min, scale } = quantizeUint8(values);
    const small = new Set(Array.from(q).filter((_, i) => i % 2 === 1));
    expect(small.size).toBeLessThanOrEqual(2);
    expect(Math.abs(min + 100)).toBeLessThan(1);
    expect(scale).toBeGreaterThan(0.5);
  });
});

describe('graph pruning', () => {
  it('keeps exactly the ancestors of the outputs', () => {
    const nodes = [
      { name: 'in', op: 'Placeholder' },
      { name: 'w', op: 'Const' },
      { name: 'conv', op: 'Conv2D', input: ['in', 'w'] },
      { name: 'head', op: 'Relu', input: ['conv'] },
      { name: 'other', op: 'Relu', input: ['in', '^w'] },
    ];
    expect(pruneGraph(nodes, ['conv']).map((n) => n.name)).toEqual(['in', 'w', 'conv']);
    expect(() => pruneGraph(nodes, ['missing'])).toThrow(/no node "missing"/);
  });

  it('takes a fine-tuned backbone from a folder of one shard, and says what is wrong with a folder that is not one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'backbone-'));
    expect(() => ensureBackboneFiles('.cache', dir)).toThrow(`--backbone ${dir}: no model.json there`);
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ weightsManifest: [{ paths: ['a.bin', 'b.bin'], weights: [] }] }));
    expect(() => ensureBackboneFiles('.cache', dir)).toThrow('expected one weight shard, the manifest names 2');
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ weightsManifest: [{ paths: ['weights.bin'], weights: [] }] }));
    expect(ensureBackboneFiles('.cache', dir)).toEqual({ json: join(dir, 'model.json'), bin: join(dir, 'weights.bin') });
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('EXIF orientation in the Node decoder', () => {
  // A 2×3 image whose pixel values are their index (red channel), RGBA.
  const rgba = new Uint8Array([0, 1, 2, 3, 4, 5].flatMap((v) => [v, 0, 0, 255]));
  const red = (t: tf.Tensor3D) => (t.slice([0, 0, 0], [-1, -1, 1]).squeeze([2]) as tf.Tensor2D).arraySync();
  // source rows: [0 1 2] / [3 4 5]
  it.each([
    [
      1,
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
    ],
    [
      2,
      [
        [2, 1, 0],
        [5, 4, 3],
      ],
    ],
    [
      3,
      [
        [5, 4, 3],
        [2, 1, 0],
      ],
    ],
    [
      4,
      [
        [3, 4, 5],
        [0, 1, 2],
      ],
    ],
    [
      5,
      [
        [0, 3],
        [1, 4],
        [2, 5],
      ],
    ],
    [
      6,
      [
        [3, 0],
        [4, 1],
        [5, 2],
      ],
    ],
    [
      7,
      [
        [5, 2],
        [4, 1],
        [3, 0],
      ],
    ],
    [
      8,
      [
        [2, 5],
        [1, 4],
        [0, 3],
      ],
    ],
  ])('orientation %i', (o, expected) => {
    expect(red(uprightRgb(rgba, 3, 2, o))).toEqual(expected);
  });
});
