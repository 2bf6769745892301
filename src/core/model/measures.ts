import * as tf from '@tensorflow/tfjs';

// Explicit measurements fed to the head beside the backbone's features. The backbone sees a
// 512-px squeeze; these look at native-scale detail (sharpness, noise, JPEG blocks) and at the
// whole photo (exposure, colour, edge orientation for tilt, edge density for clutter).

export const MEASURE_NAMES = [
  'log_lapvar_1x', 'log_lapvar_2x', 'log_lapvar_4x', 'sharp_ratio_1x_2x', 'log_grad_mean',
  'log_noise_sigma', 'edge_density', 'blockiness',
  'mean_y', 'std_y', 'dark_frac', 'black_frac', 'bright_frac', 'white_frac',
  'cast_rg', 'cast_yb', 'colourfulness', 'saturation',
  'tilt_0_1', 'tilt_1_3', 'tilt_3_7', 'tilt_7_15', 'tilt_15_45',
  'centre_edges', 'border_edges',
  'log_short_side', 'log_aspect',
] as const;

const LAPLACIAN = [0, 1, 0, 1, -4, 1, 0, 1, 0];
// Immerkær's fast noise estimator: the kernel cancels image structure up to second order.
const NOISE_KERNEL = [1, -2, 1, -2, 4, -2, 1, -2, 1];
const SOBEL_X = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
const SOBEL_Y = [-1, -2, -1, 0, 0, 0, 1, 2, 1];

function conv3(y4: tf.Tensor4D, k: number[]): tf.Tensor4D {
  return tf.conv2d(y4, tf.tensor4d(k, [3, 3, 1, 1]), 1, 'valid');
}

/** Rec. 601 luma in 0–1 as [1,H,W,1]. */
export function luma(rgb: tf.Tensor3D): tf.Tensor4D {
  return tf.tidy(() => {
    const y = tf.sum(tf.mul(rgb, tf.tensor1d([0.299 / 255, 0.587 / 255, 0.114 / 255])), 2);
    return y.expandDims(0).expandDims(3) as tf.Tensor4D;
  });
}

function logVarLaplacian(y4: tf.Tensor4D): tf.Scalar {
  const lap = conv3(y4, LAPLACIAN);
  return tf.log(tf.add(tf.moments(lap).variance, 1e-7)) as tf.Scalar;
}

function pool2(y4: tf.Tensor4D): tf.Tensor4D {
  return tf.avgPool(y4, 2, 2, 'valid');
}

/** Ratio of the mean jump across 8-px JPEG block edges to the mean jump elsewhere. */
function blockiness(y4: tf.Tensor4D): tf.Scalar {
  const [, H, W] = y4.shape;
  const n = Math.floor((W - 1) / 8) * 8;
  if (n < 16) return tf.scalar(1);
  const dx = tf.abs(tf.sub(tf.slice(y4, [0, 0, 1, 0], [1, H, n, 1]), tf.slice(y4, [0, 0, 0, 0], [1, H, n, 1])));
  const byPhase = tf.mean(tf.reshape(dx, [H, n / 8, 8]), [0, 1]); // [8]
  const edge = tf.slice(byPhase, [7], [1]).squeeze();
  const inner = tf.mean(tf.slice(byPhase, [0], [7]));
  return tf.div(tf.add(edge, 1e-4), tf.add(inner, 1e-4)) as tf.Scalar;
}

/** Sharpness, noise and blocking at native scale, on the detail crop. → [8] */
function detailMeasures(detail: tf.Tensor3D): tf.Tensor1D {
  const y = luma(detail);
  const l1 = logVarLaplacian(y);
  const y2 = pool2(y);
  const l2 = logVarLaplacian(y2);
  const l4 = logVarLaplacian(pool2(y2));
  const gx = conv3(y, SOBEL_X);
  const gy = conv3(y, SOBEL_Y);
  const mag = tf.sqrt(tf.add(tf.add(tf.square(gx), tf.square(gy)), 1e-10));
  const gradMean = tf.log(tf.add(tf.mean(mag), 1e-6));
  const sigma = tf.mul(tf.mean(tf.abs(conv3(y, NOISE_KERNEL))), Math.sqrt(Math.PI / 2) / 6);
  const edgeDensity = tf.mean(tf.cast(tf.greater(mag, 0.25), 'float32'));
  return tf.stack([
    l1, l2, l4, tf.sub(l1, l2), gradMean, tf.log(tf.add(sigma, 1e-5)), edgeDensity, blockiness(y),
  ]) as tf.Tensor1D;
}

/** Exposure and colour on the whole photo (the 512 view). → [10] */
function toneMeasures(view: tf.Tensor3D): tf.Tensor1D {
  const rgb = tf.div(view, 255);
  const y = tf.sum(tf.mul(rgb, tf.tensor1d([0.299, 0.587, 0.114])), 2);
  const { mean, variance } = tf.moments(y);
  const frac = (t: tf.Tensor) => tf.mean(tf.cast(t, 'float32'));
  const [r, g, b] = tf.unstack(rgb, 2);
  const rg = tf.sub(r, g);
  const yb = tf.sub(tf.mul(tf.add(r, g), 0.5), b);
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
  const mag = tf.sqrt(tf.add(e, 1e-10)).squeeze([0, 3]) as tf.Tensor2D;
  const [H, W] = mag.shape;
  const strong = tf.cast(tf.greater(mag, 0.25), 'float32');
  const centre = tf.slice(strong, [Math.floor(H / 4), Math.floor(W / 4)], [Math.floor(H / 2), Math.floor(W / 2)]);
  const centreSum = tf.sum(centre);
  const borderMean = tf.div(tf.sub(tf.sum(strong), centreSum), H * W - centre.size);
  return tf.stack([...bins, tf.div(centreSum, centre.size), borderMean]) as tf.Tensor1D;
}

/**
 * All measurements, in MEASURE_NAMES order. `width`/`height` are the decoded photo's size
 * (before any capping), so a genuinely small photo is told apart from a big one. → [27]
 */
export function measure(view: tf.Tensor3D, detail: tf.Tensor3D, width: number, height: number): tf.Tensor1D {
  return tf.tidy(() => {
    const short = Math.max(1, Math.min(width, height));
    const size = tf.tensor1d([Math.log(short), Math.log(Math.max(width, height) / short)]);
    return tf.concat([detailMeasures(detail), toneMeasures(view), layoutMeasures(view), size]) as tf.Tensor1D;
  });
}
