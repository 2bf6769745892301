import { MAX_STRAIGHTEN } from '../fixes';
import type { Pixels } from '../image/views';

// Straighten: how far the photo's straight lines lean from level, signed, and the photo turned
// back by it, keeping the largest upright crop of the same shape.

/** Side of the square blocks over which gradients are pooled. */
const DEFAULT_BLOCK = 12;

/** How the lines are read (tools/model/experiments/lean-check.ts tries others). */
export interface LeanOptions {
  /** Side of the blocks, px. */
  block?: number;
  /** Blocks less line-like than this (structure-tensor coherence, 0–1) are not counted. */
  minCoherence?: number;
  /**
   * Count a block only where a block next to it along its line leans the same way: a straight
   * line runs on across blocks, the grain of a texture does not.
   */
  continuity?: boolean;
}

/** How far two blocks' leans may differ for one line to run on across them, degrees. */
const CONTINUED_WITHIN = 1.5;
/** Signed-angle histogram: bins of 0.25° over (−45°, 45°]. */
const BINS = 360;
const DEG_PER_BIN = 90 / BINS;
/** Under this the lean is not worth a resample. */
export const MIN_STRAIGHTEN = 0.5;

/**
 * Luma, through a 5×5 binomial blur (edges clamped): Sobel angles of a crisp, aliased edge lean
 * towards the axes (a 4.5° edge reads as 3.6°); smoothing first takes most of that away.
 */
export function lumaPlane(px: Pixels): Float32Array {
  const { data, width: W, height: H, channels: C } = px;
  let cur = new Float32Array(W * H);
  for (let i = 0, p = 0; i < cur.length; i++, p += C) cur[i] = 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2];
  for (let pass = 0; pass < 2; pass++) {
    const tmp = new Float32Array(cur.length);
    const out = new Float32Array(cur.length);
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++) {
        const o = i * W + j;
        tmp[o] = (cur[o - (j > 0 ? 1 : 0)] + 2 * cur[o] + cur[o + (j < W - 1 ? 1 : 0)]) / 4;
      }
    }
    for (let i = 0; i < H; i++) {
      const up = i > 0 ? W : 0;
      const down = i < H - 1 ? W : 0;
      for (let j = 0; j < W; j++) {
        const o = i * W + j;
        out[o] = (tmp[o - up] + 2 * tmp[o] + tmp[o + down]) / 4;
      }
    }
    cur = out;
  }
  return cur;
}

/**
 * The lean of the photo's lines in degrees (positive: turned counter-clockwise as seen), and
 * the share of line weight at it. A tilted shot turns every horizontal and vertical line by the
 * same angle, so the orientations of line-like blocks (the structure tensor of 12² blocks by default,
 * folded to (−45°, 45°] from the nearest axis and weighted by coherence² × √energy) pile up at
 * the lean. The peak is looked for within ±MAX_STRAIGHTEN only, refined between bins.
 */
export function signedLean(px: Pixels): { degrees: number; share: number } {
  return leans(px, 1)[0] ?? { degrees: 0, share: 0 };
}

/**
 * The `n` strongest leans of the photo's lines within ±MAX_STRAIGHTEN (local peaks of the
 * histogram at least 1° apart), strongest first. A real photo's lines are rarely one clear
 * peak: the caller lets the model choose among them (preview.ts).
 */
export function leans(px: Pixels, n: number, opts: LeanOptions = {}): { degrees: number; share: number }[] {
  const { block = DEFAULT_BLOCK, minCoherence = 0, continuity = false } = opts;
  const d = lumaPlane(px);
  const { width: W, height: H } = px;
  const cols = Math.max(0, Math.floor((W - 2) / block));
  const rows = Math.max(0, Math.floor((H - 2) / block));
  // per block: its lean from the nearest axis, its weight (0: not counted), and whether its line runs near vertical
  const lean = new Float64Array(cols * rows);
  const weight = new Float64Array(cols * rows);
  const upright = new Uint8Array(cols * rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const [by, bx] = [r * block, c * block];
      let jxx = 0;
      let jyy = 0;
      let jxy = 0;
      for (let i = by; i < by + block; i++) {
        for (let j = bx; j < bx + block; j++) {
          const o = i * W + j;
          const gx = d[o + 2] - d[o] + 2 * (d[o + W + 2] - d[o + W]) + d[o + 2 * W + 2] - d[o + 2 * W];
          const gy = d[o + 2 * W] - d[o] + 2 * (d[o + 2 * W + 1] - d[o + 1]) + d[o + 2 * W + 2] - d[o + 2];
          jxx += gx * gx;
          jyy += gy * gy;
          jxy += gx * gy;
        }
      }
      const trace = jxx + jyy;
      if (trace < 1e-3) continue;
      const coherence = Math.sqrt((jxx - jyy) ** 2 + 4 * jxy * jxy) / trace;
      if (coherence < minCoherence) continue;
      // the gradient's angle (y down); the line runs across it, so both lean the same way from an axis
      let deg = (0.5 * Math.atan2(2 * jxy, jxx - jyy) * 180) / Math.PI;
      // a gradient near the x axis is a line near vertical
      upright[r * cols + c] = Math.abs(deg) <= 45 ? 1 : 0;
      if (deg > 45) deg -= 90;
      else if (deg <= -45) deg += 90;
      lean[r * cols + c] = deg;
      weight[r * cols + c] = coherence * coherence * Math.sqrt(trace);
    }
  }
  const hist = new Float64Array(BINS);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const k = r * cols + c;
      const w = weight[k];
      if (w <= 0 || (continuity && !continued(k, r, c))) continue;
      hist[Math.min(BINS - 1, Math.floor((lean[k] + 45) / DEG_PER_BIN))] += w;
      total += w;
    }
  }

  /** Whether a block next to this one along its line (above or below a near-vertical line, beside a near-horizontal one) leans the same way. */
  function continued(k: number, r: number, c: number): boolean {
    const along = upright[k] ? [r > 0 ? k - cols : -1, r < rows - 1 ? k + cols : -1] : [c > 0 ? k - 1 : -1, c < cols - 1 ? k + 1 : -1];
    return along.some((m) => m >= 0 && weight[m] > 0 && upright[m] === upright[k] && Math.abs(lean[m] - lean[k]) <= CONTINUED_WITHIN);
  }
  if (total <= 0) return [];
  // weight within ±1° of a bin
  const span = Math.round(1 / DEG_PER_BIN);
  const around = (b: number) => {
    let s = 0;
    for (let k = -span; k <= span; k++) s += hist[(b + k + BINS) % BINS];
    return s;
  };
  const centre = BINS / 2;
  const reach = Math.round(MAX_STRAIGHTEN / DEG_PER_BIN);
  const peaks: number[] = [];
  for (let b = centre - reach; b <= centre + reach; b++) {
    const a = around(b);
    if (a > 0 && a >= around(b - 1) && a > around(b + 1)) peaks.push(b);
  }
  peaks.sort((a, b) => around(b) - around(a));
  const chosen: number[] = [];
  for (const p of peaks) if (chosen.length < n && chosen.every((c) => Math.abs(c - p) > span)) chosen.push(p);
  return chosen.map((peak) => {
    // the weighted mean angle within the peak's ±1°
    let sum = 0;
    let wsum = 0;
    for (let k = -span; k <= span; k++) {
      const w = hist[(peak + k + BINS) % BINS];
      sum += w * ((peak + k + 0.5) * DEG_PER_BIN - 45);
      wsum += w;
    }
    // image y points down: an angle measured that way is a clockwise lean as seen
    return { degrees: -(sum / (wsum || 1)), share: around(peak) / total };
  });
}

/** The largest centred upright crop of a W×H photo turned by `degrees`, as a share of its sides. */
export function keptShare(width: number, height: number, degrees: number): number {
  const t = (Math.abs(degrees) * Math.PI) / 180;
  const [c, s] = [Math.cos(t), Math.sin(t)];
  return Math.min(width / (width * c + height * s), height / (width * s + height * c));
}

/**
 * The photo turned by `degrees` (positive: counter-clockwise as seen) about its centre, cut to
 * the largest centred upright crop of its own shape, resampled bilinearly. → RGBA
 */
export function straightenPixels(px: Pixels, degrees: number): Pixels {
  const { data, width: W, height: H, channels: C } = px;
  const k = keptShare(W, H, degrees);
  const w = Math.max(1, Math.round(W * k));
  const h = Math.max(1, Math.round(H * k));
  const out = new Uint8ClampedArray(w * h * 4);
  const t = (degrees * Math.PI) / 180;
  const [cos, sin] = [Math.cos(t), Math.sin(t)];
  const [cx, cy] = [W / 2, H / 2];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // output pixel centre, about the photo's centre, turned back to where it came from
      const dx = x + 0.5 - w / 2;
      const dy = y + 0.5 - h / 2;
      const sx = cx + dx * cos - dy * sin - 0.5;
      const sy = cy + dx * sin + dy * cos - 0.5;
      const x0 = Math.max(0, Math.min(W - 2, Math.floor(sx)));
      const y0 = Math.max(0, Math.min(H - 2, Math.floor(sy)));
      const fx = Math.min(1, Math.max(0, sx - x0));
      const fy = Math.min(1, Math.max(0, sy - y0));
      const o = (y * w + x) * 4;
      for (let c = 0; c < 3; c++) {
        const a = data[(y0 * W + x0) * C + c];
        const b = data[(y0 * W + x0 + 1) * C + c];
        const e = data[((y0 + 1) * W + x0) * C + c];
        const f = data[((y0 + 1) * W + x0 + 1) * C + c];
        out[o + c] = (a * (1 - fx) + b * fx) * (1 - fy) + (e * (1 - fx) + f * fx) * fy;
      }
      out[o + 3] = 255;
    }
  }
  return { data: out, width: w, height: h, channels: 4 };
}
