import type * as tf from '@tensorflow/tfjs';

// Encoding of tfjs weight manifests: float32, float16 and per-tensor affine uint8, the formats
// tfjs dequantizes at load time (value = min + scale * q for uint8).

export type Encoding = 'float32' | 'float16' | 'uint8';

export interface NamedWeight {
  name: string;
  tensor: tf.Tensor;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half from float, round to nearest even (tfjs reads halves with the same layout). */
export function toHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h;
}

/** The float an IEEE half stands for. */
export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** A value as float16 stores it. */
export const roundedToHalf = (v: number): number => fromHalf(toHalf(v));

/** Affine uint8 quantization of one tensor's values. */
export function quantizeUint8(values: Float32Array): { q: Uint8Array; min: number; scale: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const scale = max > min ? (max - min) / 255 : 1;
  const q = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) q[i] = Math.round((values[i] - min) / scale);
  return { q, min, scale };
}

/**
 * uint8 with its own min and scale per output channel (the last axis of a [kh, kw, in, out]
 * filter; a depthwise filter's [in · multiplier]), decoded back to float32: what a per-channel
 * loader would hand tfjs. The manifest has no per-channel quantization, so it costs the values
 * plus two float32 per channel in a file of the project's own.
 */
export function perChannelUint8(values: Float32Array, channels: number): { decoded: Float32Array; bytes: number } {
  const decoded = new Float32Array(values.length);
  for (let c = 0; c < channels; c++) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = c; i < values.length; i += channels) {
      if (values[i] < min) min = values[i];
      if (values[i] > max) max = values[i];
    }
    const scale = max > min ? (max - min) / 255 : 1;
    for (let i = c; i < values.length; i += channels) decoded[i] = Math.round((values[i] - min) / scale) * scale + min;
  }
  return { decoded, bytes: values.length + 8 * channels };
}

/** Weight specs plus one buffer, each float tensor in the encoding `pick` chooses for its name. */
export function encodeWeights(weights: NamedWeight[], pick: (name: string) => Encoding): { specs: tf.io.WeightsManifestEntry[]; data: Uint8Array } {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  for (const { name, tensor } of weights) {
    const shape = tensor.shape;
    if (tensor.dtype !== 'float32') {
      const raw = tensor.dataSync() as Int32Array;
      specs.push({ name, shape, dtype: tensor.dtype as 'int32' });
      chunks.push(new Uint8Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)));
      continue;
    }
    const values = tensor.dataSync() as Float32Array;
    const enc = pick(name);
    if (enc === 'float16') {
      const h = new Uint16Array(values.length);
      for (let i = 0; i < values.length; i++) h[i] = toHalf(values[i]);
      specs.push({ name, shape, dtype: 'float32', quantization: { dtype: 'float16' } });
      chunks.push(new Uint8Array(h.buffer));
    } else if (enc === 'uint8') {
      const { q, min, scale } = quantizeUint8(values);
      specs.push({ name, shape, dtype: 'float32', quantization: { dtype: 'uint8', min, scale } });
      chunks.push(q);
    } else {
      specs.push({ name, shape, dtype: 'float32' });
      chunks.push(new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)));
    }
  }
  const data = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    data.set(c, o);
    o += c.length;
  }
  return { specs, data };
}
