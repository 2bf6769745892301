import type { CropBox, FixKind, FixPlan } from '../fixes';
import type { Pixels } from '../image/views';
import { clampBox, cropPixels } from './crop';
import { MAX_STRAIGHTEN, MIN_STRAIGHTEN, signedLean, straightenPixels } from './straighten';

/** Without the model, a lean is straightened only where this share of the line weight agrees on it. */
export const MIN_LINE_SHARE = 0.2;

// Fix parameters estimated from the photo's own pixels (at work size: at most 1024 px a side).
// Each estimate is conservative: a photo that needs little gets little, and none can push a
// channel or a tone past white.

/** Gains are held to this range: a stronger correction is more likely a coloured item than a tint. */
const GAIN_RANGE: [number, number] = [0.6, 1.6];

/**
 * White balance by grey edges: in a scene without a cast, the mean gradient is the same in
 * every channel (edges are mostly achromatic); a tint scales one channel's gradients. The gains
 * make the three equal, normalised to keep the luma of grey, and held to GAIN_RANGE.
 */
export function greyEdgeGains(px: Pixels): [number, number, number] {
  const { data, width: W, height: H, channels: C } = px;
  const edge = [0, 0, 0];
  for (let y = 0; y < H - 1; y++) {
    for (let x = 0; x < W - 1; x++) {
      const p = (y * W + x) * C;
      const right = p + C;
      const down = p + W * C;
      for (let c = 0; c < 3; c++) edge[c] += Math.abs(data[right + c] - data[p + c]) + Math.abs(data[down + c] - data[p + c]);
    }
  }
  if (edge.some((e) => e <= 0)) return [1, 1, 1];
  return normalised(edge.map((e) => 1 / e));
}

/** Gains scaled to keep the luma of grey, each held to GAIN_RANGE. */
function normalised(raw: number[]): [number, number, number] {
  const luma = 0.299 * raw[0] + 0.587 * raw[1] + 0.114 * raw[2];
  return raw.map((g) => Math.min(GAIN_RANGE[1], Math.max(GAIN_RANGE[0], g / luma))) as [number, number, number];
}

/**
 * White balance by the median chroma of the mid-tones: a tint shifts log(R/G) and log(B/G) of
 * every pixel by the same amount, so it shifts their medians by exactly that, while a coloured
 * item moves them only as far as its share of the photo. The gains take both medians to grey.
 */
export function medianChromaGains(px: Pixels): [number, number, number] {
  const { data, width, height, channels: C } = px;
  const size = Math.ceil((width * height) / 2);
  const rg = new Float32Array(size);
  const bg = new Float32Array(size);
  let n = 0;
  for (let p = 0; p < width * height * C; p += C * 2) {
    const [r, g, b] = [data[p], data[p + 1], data[p + 2]];
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    if (y < 25 || r >= 250 || g >= 250 || b >= 250 || r < 1 || g < 1 || b < 1) continue;
    rg[n] = Math.log(r / g);
    bg[n++] = Math.log(b / g);
  }
  if (n < 100) return [1, 1, 1];
  const median = (xs: Float32Array) => xs.subarray(0, n).sort()[n >> 1];
  return normalised([Math.exp(-median(rg)), 1, Math.exp(-median(bg))]);
}

export interface PlanOptions {
  /**
   * How the white balance is estimated, and how much of it is applied (1: all, in log gain); with
   * `strengths`, the model picks among them as for brighten's targets.
   */
  colour: { method: 'grey-edge' | 'median-chroma' | 'both'; strength: number; strengths?: number[] };
  /**
   * Where brighten takes the photo's median luma, as a share of white; with `targets`, the model
   * picks the one it scores best among those after which it finds the photo less dark (preview.ts).
   */
  exposure: { targetMedian: number; targets?: number[] };
}

/** Chosen on train photos by `npm run fix-evidence` (tools/model/README.md, "Fixes"); the lists are what the model picks among. */
export const DEFAULT_PLAN_OPTIONS: PlanOptions = {
  colour: { method: 'median-chroma', strength: 0.75, strengths: [0.1, 0.25, 0.5, 0.75, 1] },
  exposure: { targetMedian: 0.55, targets: [0.4, 0.5, 0.55, 0.6, 0.7] },
};

/** The full estimate per photo and method: the preview tries several strengths of one estimate (preview.ts). */
const estimates = new WeakMap<object, Map<string, [number, number, number]>>();

function fullGains(px: Pixels, method: PlanOptions['colour']['method']): [number, number, number] {
  const byMethod = estimates.get(px.data) ?? new Map<string, [number, number, number]>();
  estimates.set(px.data, byMethod);
  let gains = byMethod.get(method);
  if (!gains) {
    gains = method === 'median-chroma' ? medianChromaGains(px) : method === 'both' ? normalised(greyEdgeGains(px).map((g, c) => Math.sqrt(g * medianChromaGains(px)[c]))) : greyEdgeGains(px);
    byMethod.set(method, gains);
  }
  return gains;
}

/** The white balance gains for `options`. */
export function colourGains(px: Pixels, options: PlanOptions['colour'] = DEFAULT_PLAN_OPTIONS.colour): [number, number, number] {
  const full = fullGains(px, options.method);
  return options.strength === 1 ? full : normalised(full.map((g) => g ** options.strength));
}

/** Luma of a pixel, 0–255. */
const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;

/** The value below which a share `q` of the histogram's mass lies. */
function quantile(hist: Float64Array, total: number, q: number): number {
  let seen = 0;
  for (let v = 0; v < hist.length; v++) {
    seen += hist[v];
    if (seen >= q * total) return v;
  }
  return hist.length - 1;
}

/** Where the median luma of a fixed dark photo goes: about a typical well-exposed listing photo's. */
/** Pixels this bright before the fix (a share of the photo) are never pushed to white. */
const HIGHLIGHT_SHARE = 0.998;

/**
 * A tone curve from the luma histogram that lifts the shadows without clipping the highlights:
 * first a gain that takes the 99.8th percentile to 250 (never past it), then a gamma that takes
 * the median to `targetMedian` of white. Both maps keep 0 at 0 and are increasing; the gamma keeps 255 at
 * 255, so nothing the gain left below white is clipped. An empty curve when the photo's median is already there.
 */
export function exposureCurve(px: Pixels, targetMedian = DEFAULT_PLAN_OPTIONS.exposure.targetMedian, luts?: ReturnType<typeof channelLuts>): number[] {
  const target = targetMedian * 255;
  const { data, width, height, channels: C } = px;
  const hist = new Float64Array(256);
  // the brightest channel, not luma, sets the gain: a channel brighter than its pixel's luma must not clip either
  const brightest = new Float64Array(256);
  // measured through the white balance's tables when given, without a copy of the photo
  const [lr, lg, lb] = luts ?? [null, null, null];
  for (let p = 0; p < width * height * C; p += C) {
    const r = lr ? lr[Math.round(data[p])] : data[p];
    const g = lg ? lg[Math.round(data[p + 1])] : data[p + 1];
    const b = lb ? lb[Math.round(data[p + 2])] : data[p + 2];
    hist[Math.min(255, Math.round(luma(r, g, b)))]++;
    brightest[Math.min(255, Math.round(Math.max(r, g, b)))]++;
  }
  const total = width * height;
  if (quantile(hist, total, 0.5) >= target) return [];
  const top = Math.max(1, quantile(brightest, total, HIGHLIGHT_SHARE));
  const gain = Math.min(3, Math.max(1, 250 / top));
  const median = Math.max(1, quantile(hist, total, 0.5) * gain);
  // gamma < 1 lifts; never darken a photo that the gain already brought up enough
  const gamma = median >= target ? 1 : Math.max(0.4, Math.log(target / 255) / Math.log(median / 255));
  return Array.from({ length: 256 }, (_, v) => Math.round(255 * Math.min(1, (v * gain) / 255) ** gamma));
}

/** What the caller chose for the plan: the model's picks or the seller's, and the site's crop shape. */
export interface PlanChoices {
  /** Which way is up is the model's call (preview.ts tries both turns) or the seller's. */
  quarterTurns?: FixPlan['quarterTurns'];
  /** The angle to straighten by (the model's pick among the lines' leans, preview.ts). */
  straighten?: number;
  /** The crop on the turned and straightened photo (the model's pick or the seller's); none: no crop. */
  crop?: CropBox | null;
}

/**
 * The plan for `fixes` from the photo's work-size pixels and the caller's choices: the turn and
 * the crop are the caller's, the angle falls back on the lines' one clear lean, and the colour
 * and tone come from the pixels.
 */
export function planFixes(px: Pixels, fixes: readonly FixKind[], choices: PlanChoices = {}, options: PlanOptions = DEFAULT_PLAN_OPTIONS): FixPlan {
  const plan: FixPlan = { fixes: [], quarterTurns: 0, straighten: 0, gains: [1, 1, 1], curve: [], crop: null };
  if (fixes.includes('turn') && choices.quarterTurns) {
    plan.quarterTurns = choices.quarterTurns;
    plan.fixes.push('turn');
  }
  if (fixes.includes('straighten')) {
    // without the caller's angle, the one clear lean of the lines; a quarter turn keeps a lean's size and sense
    const lean = signedLean(px);
    const angle = choices.straighten ?? (lean.share >= MIN_LINE_SHARE ? -lean.degrees : 0);
    if (Math.abs(angle) >= MIN_STRAIGHTEN && Math.abs(angle) <= MAX_STRAIGHTEN) {
      plan.straighten = Math.round(angle * 10) / 10;
      plan.fixes.push('straighten');
    }
  }
  if (fixes.includes('colour')) {
    plan.gains = colourGains(px, options.colour);
    if (plan.gains.some((g) => Math.abs(g - 1) > 0.02)) plan.fixes.push('colour');
    else plan.gains = [1, 1, 1];
  }
  if (fixes.includes('exposure')) {
    // measured after the white balance, as it is applied
    plan.curve = exposureCurve(px, options.exposure.targetMedian, plan.fixes.includes('colour') ? channelLuts({ ...plan, curve: [] }) : undefined);
    if (plan.curve.length) plan.fixes.push('exposure');
  }
  // where the item is takes the model's item locator (preview.ts) or the seller: only the caller's crop
  const crop = choices.crop;
  if (fixes.includes('crop') && crop && (crop.width < 0.999 || crop.height < 0.999)) {
    plan.crop = clampBox(crop);
    plan.fixes.push('crop');
  }
  return plan;
}

/** One lookup table per channel: the gain, then the tone curve (both on 0–255). */
export function channelLuts(plan: Pick<FixPlan, 'gains' | 'curve'>): [Uint8ClampedArray, Uint8ClampedArray, Uint8ClampedArray] {
  return plan.gains.map((g) => {
    const lut = new Uint8ClampedArray(256);
    for (let v = 0; v < 256; v++) {
      const balanced = Math.min(255, Math.round(v * g));
      lut[v] = plan.curve.length ? plan.curve[balanced] : balanced;
    }
    return lut;
  }) as [Uint8ClampedArray, Uint8ClampedArray, Uint8ClampedArray];
}

/** The pixels through the tables, as RGBA (alpha opaque), into `into` where it is the right size. */
export function applyLuts(px: Pixels, luts: ReturnType<typeof channelLuts>, into?: Uint8ClampedArray): Pixels {
  const { data, width, height, channels: C } = px;
  const out = into?.length === width * height * 4 ? into : new Uint8ClampedArray(width * height * 4);
  for (let p = 0, o = 0; o < out.length; p += C, o += 4) {
    out[o] = luts[0][Math.round(data[p])];
    out[o + 1] = luts[1][Math.round(data[p + 1])];
    out[o + 2] = luts[2][Math.round(data[p + 2])];
    out[o + 3] = 255;
  }
  return { data: out, width, height, channels: 4 };
}

/** The pixels turned clockwise by quarter turns, as RGBA. */
export function turnPixels(px: Pixels, quarterTurns: FixPlan['quarterTurns']): Pixels {
  const { data, width: W, height: H, channels: C } = px;
  const swap = quarterTurns % 2 === 1;
  const w = swap ? H : W;
  const h = swap ? W : H;
  const out = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // where (x, y) lands after the turn
      const [nx, ny] = quarterTurns === 1 ? [H - 1 - y, x] : quarterTurns === 2 ? [W - 1 - x, H - 1 - y] : quarterTurns === 3 ? [y, W - 1 - x] : [x, y];
      const p = (y * W + x) * C;
      const o = (ny * w + nx) * 4;
      out[o] = data[p];
      out[o + 1] = data[p + 1];
      out[o + 2] = data[p + 2];
      out[o + 3] = 255;
    }
  }
  return { data: out, width: w, height: h, channels: 4 };
}

/** The pixels turned and straightened by the plan (the frame a crop is a share of). */
export function shapePixels(px: Pixels, plan: Pick<FixPlan, 'quarterTurns' | 'straighten'>): Pixels {
  const turned = plan.quarterTurns ? turnPixels(px, plan.quarterTurns) : px;
  return plan.straighten ? straightenPixels(turned, plan.straighten) : turned;
}

/** The whole plan on pixels (work size, for the preview): turn, straighten, colour and exposure, then crop; `into` as for applyLuts. */
export function applyPlan(px: Pixels, plan: FixPlan, into?: Uint8ClampedArray): Pixels {
  const toned = applyLuts(shapePixels(px, plan), channelLuts(plan), into);
  return plan.crop ? cropPixels(toned, plan.crop) : toned;
}
