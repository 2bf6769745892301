import { MAX_STRAIGHTEN, type CropBox, type FixKind, type FixPlan } from '../fixes';
import type { Pixels } from '../image/views';
import { clampBox, cropPixels } from './crop';
import { MIN_STRAIGHTEN, signedLean, straightenPixels } from './straighten';

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

/** A black point above this (0–255) is a dark item, not haze: it is held here. */
const MAX_BLACK = 40;
/** The stretch's slope is held to this: past it a flat photo's grain would show. */
const MAX_STRETCH = 1.6;
/** The shares of the darkest and the brightest channel values taken as black and white. */
const LEVEL_SHARES: [number, number] = [0.005, 0.995];

/**
 * Black and white points for the photo: the 0.5th percentile of its darkest channel and the
 * 99.5th of its brightest, one pair for all three (so the stretch changes contrast, not hue), the
 * slope held to MAX_STRETCH. A lamp's cast often comes with lifted blacks and dull whites;
 * stretched back, the neutral photo keeps the contrast the cast took. null: nothing to stretch.
 */
export function levelsFor(px: Pixels): [number, number] | null {
  const { data, width, height, channels: C } = px;
  const hists = [new Float64Array(256), new Float64Array(256), new Float64Array(256)];
  for (let p = 0; p < width * height * C; p += C) {
    for (let c = 0; c < 3; c++) hists[c][Math.min(255, Math.round(data[p + c]))]++;
  }
  const total = width * height;
  let black = Math.min(MAX_BLACK, ...hists.map((h) => quantile(h, total, LEVEL_SHARES[0])));
  let white = Math.max(...hists.map((h) => quantile(h, total, LEVEL_SHARES[1])));
  const narrowest = 255 / MAX_STRETCH;
  if (white - black < narrowest) {
    // the slope held: the range widened about its middle, within 0–255
    const middle = Math.min(255 - narrowest / 2, Math.max(narrowest / 2, (black + white) / 2));
    [black, white] = [middle - narrowest / 2, middle + narrowest / 2];
  }
  const levels: [number, number] = [Math.round(Math.max(0, black) * 10) / 10, Math.round(Math.min(255, white) * 10) / 10];
  return levels[0] > 0.5 || levels[1] < 254.5 ? levels : null;
}

/** The photo's levels, and the photo stretched by them, kept per photo: the preview plans several strengths on one stretch. */
const stretchedPhotos = new WeakMap<object, { levels: [number, number]; px: Pixels } | null>();

function stretched(px: Pixels): { levels: [number, number]; px: Pixels } | null {
  if (stretchedPhotos.has(px.data)) return stretchedPhotos.get(px.data)!;
  const levels = levelsFor(px);
  const out = levels && { levels, px: applyLuts(px, channelLuts({ gains: [1, 1, 1], curve: [], levels })) };
  stretchedPhotos.set(px.data, out);
  return out;
}

export interface PlanOptions {
  /**
   * How the white balance is estimated, how much of it is applied (1: all, in log gain), and
   * whether the black and white points are stretched with it (levelsFor); with `strengths` and
   * `stretches`, the model picks among their combinations as for brighten's targets.
   */
  colour: { method: 'grey-edge' | 'median-chroma' | 'both'; strength: number; strengths?: number[]; stretch?: boolean; stretches?: boolean[] };
  /**
   * Where brighten takes the photo's median luma, as a share of white, and whether its floor is
   * taken to black first (exposureCurve); with `targets` and `blackPoints`, the model picks the
   * combination it scores best among those after which it finds the photo less dark (preview.ts).
   */
  exposure: { targetMedian: number; targets?: number[]; blackPoint?: boolean; blackPoints?: boolean[] };
}

/** Chosen on train photos by `npm run fix-evidence` (tools/model/README.md, "Fixes"); the lists are what the model picks among. */
export const DEFAULT_PLAN_OPTIONS: PlanOptions = {
  colour: { method: 'median-chroma', strength: 0.75, strengths: [0.1, 0.25, 0.5, 0.75, 1], stretch: false, stretches: [false, true] },
  exposure: { targetMedian: 0.55, targets: [0.4, 0.5, 0.55, 0.6, 0.7], blackPoint: false, blackPoints: [false, true] },
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
 * With `blackPoint`, the tones below the darkest channels' 0.5th percentile (at most 40, and at
 * most half the median) go to black before the gain: lifting a dark photo lifts its grain, and
 * the floor the grain sits on is what it lifts first.
 */
export function exposureCurve(px: Pixels, targetMedian = DEFAULT_PLAN_OPTIONS.exposure.targetMedian, luts?: ReturnType<typeof channelLuts>, blackPoint = false): number[] {
  const target = targetMedian * 255;
  const { data, width, height, channels: C } = px;
  const hist = new Float64Array(256);
  // the brightest channel, not luma, sets the gain: a channel brighter than its pixel's luma must not clip either
  const brightest = new Float64Array(256);
  const darkest = new Float64Array(256);
  // measured through the white balance's tables when given, without a copy of the photo
  const [lr, lg, lb] = luts ?? [null, null, null];
  for (let p = 0; p < width * height * C; p += C) {
    const r = lr ? lr[Math.round(data[p])] : data[p];
    const g = lg ? lg[Math.round(data[p + 1])] : data[p + 1];
    const b = lb ? lb[Math.round(data[p + 2])] : data[p + 2];
    hist[Math.min(255, Math.round(luma(r, g, b)))]++;
    brightest[Math.min(255, Math.round(Math.max(r, g, b)))]++;
    darkest[Math.min(255, Math.round(Math.min(r, g, b)))]++;
  }
  const total = width * height;
  if (quantile(hist, total, 0.5) >= target) return [];
  // with blackPoint, the darkest channels' floor (a dark photo's grain and haze) is taken to black
  // first, so the lift spreads the tones above it instead of the grain: at most half the median
  const black = blackPoint ? Math.min(MAX_BLACK, quantile(darkest, total, LEVEL_SHARES[0]), quantile(hist, total, 0.5) / 2) : 0;
  const top = Math.max(black + 1, quantile(brightest, total, HIGHLIGHT_SHARE));
  const gain = Math.min(3, Math.max(1, 250 / (top - black)));
  const median = Math.max(1, (quantile(hist, total, 0.5) - black) * gain);
  // gamma < 1 lifts; never darken a photo that the gain already brought up enough
  const gamma = median >= target ? 1 : Math.max(0.4, Math.log(target / 255) / Math.log(median / 255));
  return Array.from({ length: 256 }, (_, v) => Math.round(255 * Math.min(1, (Math.max(0, v - black) * gain) / 255) ** gamma));
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
    // the stretch first, so the gains take the stretched mid-tones to grey
    const stretch = options.colour.stretch ? stretched(px) : null;
    plan.gains = colourGains(stretch?.px ?? px, options.colour);
    if (stretch) plan.levels = stretch.levels;
    if (stretch || plan.gains.some((g) => Math.abs(g - 1) > 0.02)) plan.fixes.push('colour');
    else plan.gains = [1, 1, 1];
  }
  if (fixes.includes('exposure')) {
    // measured after the white balance, as it is applied
    plan.curve = exposureCurve(px, options.exposure.targetMedian, plan.fixes.includes('colour') ? channelLuts({ ...plan, curve: [] }) : undefined, !!options.exposure.blackPoint);
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

/** One lookup table per channel: the levels, the gain, then the tone curve (all on 0–255). */
export function channelLuts(plan: Pick<FixPlan, 'gains' | 'curve' | 'levels'>): [Uint8ClampedArray, Uint8ClampedArray, Uint8ClampedArray] {
  const [black, white] = plan.levels ?? [0, 255];
  const slope = 255 / (white - black);
  return plan.gains.map((g) => {
    const lut = new Uint8ClampedArray(256);
    for (let v = 0; v < 256; v++) {
      const balanced = Math.min(255, Math.round(Math.min(255, Math.max(0, (v - black) * slope)) * g));
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
