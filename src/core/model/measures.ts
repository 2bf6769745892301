import * as tf from '@tensorflow/tfjs';

// Explicit measurements fed to the head beside the backbone's features. The backbone sees a
// 512-px squeeze; these look at native-scale detail (sharpness, noise, JPEG blocks) and at the
// whole photo (exposure, colour, edge orientation for tilt, edge density for clutter).

/** Colour cast in any direction (castMeasures), appended last. */
export const CAST_MEASURE_NAMES = ['grey_edge_cast', 'max_rgb_cast', 'neutral_frac'] as const;

export const MEASURE_NAMES = [
  'log_lapvar_1x', 'log_lapvar_2x', 'log_lapvar_4x', 'sharp_ratio_1x_2x', 'log_grad_mean',
  'log_noise_sigma', 'edge_density', 'blockiness',
  'mean_y', 'std_y', 'dark_frac', 'black_frac', 'bright_frac', 'white_frac',
  'cast_rg', 'cast_yb', 'colourfulness', 'saturation',
  'tilt_0_1', 'tilt_1_3', 'tilt_3_7', 'tilt_7_15', 'tilt_15_45',
  'centre_edges', 'border_edges',
  'log_short_side', 'log_aspect',
  ...CAST_MEASURE_NAMES,
] as const;

const LAPLACIAN = [0, 1, 0, 1, -4, 1, 0, 1, 0];
// Immerkær's fast noise estimator: the kernel cancels image structure up to second order.
const NOISE_KERNEL = [1, -2, 1, -2, 4, -2, 1, -2, 1];
const SOBEL_X = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
const SOBEL_Y = [-1, -2, -1, 0, 0, 0, 1, 2, 1];

function conv3(y4: tf.Tensor4D, k: number[]): tf.Tensor4D {
  return tf.conv2d(y4, tf.tensor4d(k, [3, 3, 1, 1]), 1, 'valid');
}

/** Colour channels mixed by a 3×k matrix, as a matMul (per-channel slicing is slow on wasm). */
function mix(rgb: tf.Tensor3D, m: number[][]): tf.Tensor3D {
  const [H, W] = rgb.shape;
  return tf.matMul(tf.reshape(rgb, [H * W, 3]), tf.tensor2d(m)).reshape([H, W, m[0].length]);
}

/** Rec. 601 luma in 0–1 as [1,H,W,1]. */
export function luma(rgb: tf.Tensor3D): tf.Tensor4D {
  return tf.tidy(() => mix(rgb, [[0.299 / 255], [0.587 / 255], [0.114 / 255]]).expandDims(0) as tf.Tensor4D);
}

function logVarLaplacian(y4: tf.Tensor4D): tf.Scalar {
  const lap = conv3(y4, LAPLACIAN);
  return tf.log(tf.add(tf.moments(lap).variance, 1e-7)) as tf.Scalar;
}

function pool2(y4: tf.Tensor4D): tf.Tensor4D {
  return tf.avgPool(y4, 2, 2, 'valid');
}

// One 3×3 convolution computes every detail filter at once (wasm runs one 5-channel conv far
// faster than five 1-channel ones). Channels: Laplacian, Sobel x, Sobel y, noise, x-difference.
const DETAIL_FILTERS = [LAPLACIAN, SOBEL_X, SOBEL_Y, NOISE_KERNEL, [0, 0, 0, 0, -1, 1, 0, 0, 0]];

function detailKernel(): tf.Tensor4D {
  const k = Array.from({ length: 9 }, (_, i) => DETAIL_FILTERS.map((f) => f[i]));
  return tf.tensor4d(k.flat(), [3, 3, 1, DETAIL_FILTERS.length]);
}

function pick(v: tf.Tensor1D, i: number): tf.Scalar {
  return tf.slice(v, [i], [1]).squeeze() as tf.Scalar;
}

/**
 * Ratio of the mean jump across 8-px JPEG block edges to the mean jump elsewhere, from the
 * per-column mean |x-difference| (column c holds x[c+2] − x[c+1], so block edges sit at c ≡ 6).
 */
function blockiness(colMeanDx: tf.Tensor1D): tf.Scalar {
  const n = Math.floor(colMeanDx.shape[0] / 8) * 8;
  if (n < 16) return tf.scalar(1);
  const byPhase = tf.mean(tf.reshape(tf.slice(colMeanDx, [0], [n]), [n / 8, 8]), 0) as tf.Tensor1D;
  const edge = pick(byPhase, 6);
  const inner = tf.div(tf.sub(tf.sum(byPhase), edge), 7);
  return tf.div(tf.add(edge, 1e-4), tf.add(inner, 1e-4)) as tf.Scalar;
}

/** Sharpness, noise and blocking at native scale, on the detail crop. → [8] */
function detailMeasures(detail: tf.Tensor3D): tf.Tensor1D {
  const y = luma(detail);
  const c = tf.conv2d(y, detailKernel(), 1, 'valid'); // [1,h,w,5]
  const [, h, w] = c.shape;
  const flat = tf.reshape(c, [h * w, 5]);
  // Only the Laplacian's variance is used: picked alone (x·1 + 0 + … is exact), its moments
  // cost a fifth of all five filters'.
  const l1 = tf.log(tf.add(tf.moments(tf.matMul(flat, tf.tensor2d([1, 0, 0, 0, 0], [5, 1]))).variance, 1e-7));
  const absC = tf.abs(c);
  const absMean = tf.mean(absC, [0, 1, 2]) as tf.Tensor1D;
  const y2 = pool2(y);
  const l2 = logVarLaplacian(y2);
  const l4 = logVarLaplacian(pool2(y2));
  const mag2 = tf.matMul(tf.square(flat), tf.tensor2d([0, 1, 1, 0, 0], [5, 1]));
  const gradMean = tf.log(tf.add(tf.mean(tf.sqrt(tf.add(mag2, 1e-10))), 1e-6));
  const edgeDensity = tf.mean(tf.cast(tf.greater(mag2, 0.0625), 'float32')); // |∇| > 0.25
  const sigma = tf.mul(pick(absMean, 3), Math.sqrt(Math.PI / 2) / 6);
  const colMeanDx = tf.matMul(tf.reshape(tf.mean(absC, [0, 1]), [w, 5]), tf.tensor2d([0, 0, 0, 0, 1], [5, 1])).reshape([w]);
  return tf.stack([
    l1, l2, l4, tf.sub(l1, l2), gradMean, tf.log(tf.add(sigma, 1e-5)), edgeDensity, blockiness(colMeanDx as tf.Tensor1D),
  ]) as tf.Tensor1D;
}

/** Exposure and colour on the whole photo (the 512 view). → [10] */
function toneMeasures(view: tf.Tensor3D): tf.Tensor1D {
  const rgb = tf.div(view, 255) as tf.Tensor3D;
  // columns: luma, red−green, yellow−blue
  const [H, W] = view.shape;
  const planes = tf.reshape(mix(rgb, [[0.299, 1, 0.5], [0.587, -1, 0.5], [0.114, 0, -1]]), [H * W, 3]);
  const y = planes.matMul(tf.tensor2d([1, 0, 0], [3, 1]));
  const rg = planes.matMul(tf.tensor2d([0, 1, 0], [3, 1]));
  const yb = planes.matMul(tf.tensor2d([0, 0, 1], [3, 1]));
  const { mean, variance } = tf.moments(y);
  const frac = (t: tf.Tensor) => tf.mean(tf.cast(t, 'float32'));
  const rgM = tf.moments(rg);
  const ybM = tf.moments(yb);
  const colourfulness = tf.add(
    tf.sqrt(tf.add(tf.add(rgM.variance, ybM.variance), 1e-8)),
    tf.mul(tf.sqrt(tf.add(tf.add(tf.square(rgM.mean), tf.square(ybM.mean)), 1e-8)), 0.3),
  );
  const saturation = tf.mean(tf.sub(tf.max(rgb, 2), tf.min(rgb, 2)));
  return tf.stack([
    mean, tf.sqrt(tf.add(variance, 1e-8)),
    frac(tf.less(y, 0.2)), frac(tf.less(y, 0.04)), frac(tf.greater(y, 0.8)), frac(tf.greater(y, 0.97)),
    rgM.mean, ybM.mean, colourfulness, saturation,
  ]) as tf.Tensor1D;
}

/** 2×2 kernel: per channel, the step to the right (outputs 0–2) and the step down (3–5). */
function stepKernel(): tf.Tensor4D {
  const k = new Float32Array(2 * 2 * 3 * 6);
  const at = (i: number, j: number, c: number, o: number) => ((i * 2 + j) * 3 + c) * 6 + o;
  for (let c = 0; c < 3; c++) {
    k[at(0, 0, c, c)] = -1;
    k[at(0, 1, c, c)] = 1;
    k[at(0, 0, c, c + 3)] = -1;
    k[at(1, 0, c, c + 3)] = 1;
  }
  return tf.tensor4d(k, [2, 2, 3, 6]);
}

/** How far a colour is from grey in log RGB: 0 for grey, the same for any photo under one tint. */
function logCast(rgb: tf.Tensor1D): tf.Scalar {
  const l = tf.log(rgb);
  return tf.norm(tf.sub(l, tf.mean(l))) as tf.Scalar;
}

/**
 * Colour cast in any direction, from what should be neutral in a photo whatever its colours:
 * the average edge (grey-edge), the brightest value of each channel (max-RGB, its 99.9th
 * percentile), and the share of mid-tone pixels that are near grey (a cast leaves few).
 * → [3], CAST_MEASURE_NAMES
 */
export function castMeasures(view: tf.Tensor3D): tf.Tensor1D {
  const [H, W] = view.shape;
  const steps = tf.conv2d(view.expandDims(0) as tf.Tensor4D, stepKernel(), 1, 'valid'); // [1,H−1,W−1,6]
  const edge = tf.add(tf.matMul(tf.mean(tf.abs(steps), [0, 1, 2]).reshape([1, 6]), tf.tensor2d([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1], [6, 3])).reshape([3]), 1e-3) as tf.Tensor1D;
  const flat = tf.reshape(view, [H * W, 3]);
  const top = tf.topk(tf.transpose(flat), Math.max(1, Math.ceil((H * W) / 1000))).values; // [3, k]
  const brightest = tf.add(tf.min(top, 1), 1) as tf.Tensor1D;
  const opp = tf.matMul(flat, tf.tensor2d([[1, 0.5], [-1, 0.5], [0, -1]])); // R−G, (R+G)/2−B
  const grey = tf.matMul(flat, tf.tensor2d([[1 / 3], [1 / 3], [1 / 3]]));
  const y = tf.matMul(flat, tf.tensor2d([[0.299], [0.587], [0.114]]));
  const chroma = tf.div(tf.sqrt(tf.sum(tf.square(opp), 1, true)), tf.add(grey, 1e-6));
  // tf.step rather than comparisons: boolean tensors are slow on wasm
  const midTone = tf.mul(tf.step(tf.sub(y, 25)), tf.step(tf.sub(250, tf.max(flat, 1, true))));
  const neutral = tf.sum(tf.mul(midTone, tf.step(tf.sub(0.15, chroma))));
  return tf.stack([logCast(edge), logCast(brightest), tf.div(neutral, tf.maximum(tf.sum(midTone), 1))]) as tf.Tensor1D;
}

/**
 * Where the strong edges point, as the share of gradient energy by angular distance from the
 * nearest horizontal/vertical (bins in degrees: 0–1, 1–3, 3–7, 7–15, 15–45). A level photo of
 * a box puts its energy in the first bin; a 5° tilt moves it to the third. Also edge density in
 * the centre vs the border (busy backgrounds). → [7]
 */
function layoutMeasures(view: tf.Tensor3D): tf.Tensor1D {
  const y = tf.avgPool(luma(view), 2, 2, 'valid'); // 256², smooths noise out of the angles
  const gx = conv3(y, SOBEL_X);
  const gy = conv3(y, SOBEL_Y);
  const e = tf.add(tf.square(gx), tf.square(gy));
  const w = tf.mul(e, tf.cast(tf.greater(e, 0.05), 'float32'));
  const theta = tf.atan2(gy, gx);
  const quarter = Math.PI / 2;
  const phi = tf.sub(theta, tf.mul(tf.floor(tf.div(theta, quarter)), quarter)); // [0, π/2)
  const dev = tf.minimum(phi, tf.sub(quarter, phi)); // 0 … π/4
  const edges = [0, 1, 3, 7, 15, 46].map((d) => (d * Math.PI) / 180);
  const total = tf.add(tf.sum(w), 1e-6);
  const bins = edges.slice(0, -1).map((lo, i) => {
    const inBin = tf.logicalAnd(tf.greaterEqual(dev, lo), tf.less(dev, edges[i + 1]));
    return tf.div(tf.sum(tf.mul(w, tf.cast(inBin, 'float32'))), total);
  });
  const strong = tf.cast(tf.greater(e, 0.0625), 'float32').squeeze([0, 3]) as tf.Tensor2D; // |∇| > 0.25
  const [H, W] = strong.shape;
  const inCentre = (i: number, n: number) => (i >= Math.floor(n / 4) && i < Math.floor(n / 4) + Math.floor(n / 2) ? 1 : 0);
  const rows = tf.tensor2d(Array.from({ length: H }, (_, i) => inCentre(i, H)), [H, 1]);
  const cols = tf.tensor2d(Array.from({ length: W }, (_, j) => inCentre(j, W)), [1, W]);
  const centreMask = tf.mul(rows, cols);
  const centreArea = Math.floor(H / 2) * Math.floor(W / 2);
  const centreSum = tf.sum(tf.mul(strong, centreMask));
  const borderMean = tf.div(tf.sub(tf.sum(strong), centreSum), H * W - centreArea);
  return tf.stack([...bins, tf.div(centreSum, centreArea), borderMean]) as tf.Tensor1D;
}

/**
 * All measurements, in MEASURE_NAMES order. `width`/`height` are the decoded photo's size
 * (before any capping), so a genuinely small photo is told apart from a big one. → [30]
 */
export function measure(view: tf.Tensor3D, detail: tf.Tensor3D, width: number, height: number): tf.Tensor1D {
  return tf.tidy(() => {
    // Beyond 512 px on the short side a photo has all the pixels a listing needs (and the
    // training photos are 512 px), so bigger sizes read as 512.
    const short = Math.max(1, Math.min(width, height));
    const size = tf.tensor1d([Math.log(Math.min(short, 512)), Math.log(Math.max(width, height) / short)]);
    return tf.concat([detailMeasures(detail), toneMeasures(view), layoutMeasures(view), size, castMeasures(view)]) as tf.Tensor1D;
  });
}
