import type { Pixels } from '../../../src/core/image/views';
import { MAX_STRAIGHTEN } from '../../../src/core/fixes';
import { lumaPlane } from '../../../src/core/fix/straighten';

// The lean of a photo's long straight lines: a Hough transform of its edge pixels. The block
// reading (straighten.ts `leans`) counts every line-like patch, so the grain of a fabric or a
// texture's edges, which lean every way, outweigh the one table edge or door frame a tilted shot
// turns; here a lean counts only as far as edge pixels line up along one straight line. A reader
// for lean-check (`--reader lines`) beside the shipped one; tools/model/README.md "Fixes" says
// how it fared.

/** Hough angle bins over ±(MAX_STRAIGHTEN + 1)°. */
const DEG_PER_BIN = 0.1;
/** An edge pixel votes for the angles this close to its own gradient's (the Sobel angle of one pixel is rough). */
const VOTE_WITHIN = 2;
/** Edge pixels: local maxima of the gradient across the edge, at least this share of the strongest gradients' level. */
const EDGE_LEVEL = 0.15;
/** A line must gather this share of the photo's shorter side in edge pixels to be counted. */
const MIN_LINE = 0.08;
/** At most this many lines are taken from each family (near-level and near-upright). */
const MAX_LINES = 24;
/** Around a line found, the accumulator is cleared this far (px, degrees) before the next is looked for. */
const CLEAR_PX = 4;
const CLEAR_DEG = 2.5;

/** How the lines are found (tools/model/experiments/lean-check.ts tries others). */
export interface LineOptions {
  /** See EDGE_LEVEL. */
  edgeLevel?: number;
  /** See MIN_LINE. */
  minLine?: number;
  /** See VOTE_WITHIN. */
  voteWithin?: number;
  /** Width of the Hough's distance bins, px: a line a little wavy or soft still piles up in one. */
  rhoBin?: number;
  /**
   * Read each family's lean where it crosses the photo's centre (`convergedLean`): a camera
   * pitched down makes upright lines converge, leaning one way on the left and the other on the
   * right, and only the one through the middle shows the roll.
   */
  converging?: boolean;
}

export interface Line {
  /** Lean from the nearest axis, degrees, in image coordinates (y down: positive is clockwise as seen). */
  deg: number;
  /** Its distance from the photo's centre, px, along its normal (for drawing it). */
  rho: number;
  /** Edge pixels along it. */
  votes: number;
  upright: boolean;
}

/** The photo's long straight lines within ±MAX_STRAIGHTEN of an axis, longest first per family. */
export function straightLines(px: Pixels, opts: LineOptions = {}): Line[] {
  const { edgeLevel = EDGE_LEVEL, minLine = MIN_LINE, voteWithin = VOTE_WITHIN, rhoBin = 1 } = opts;
  const { width: W, height: H } = px;
  if (W < 8 || H < 8) return [];
  const d = lumaPlane(px);
  const gx = new Float32Array(W * H);
  const gy = new Float32Array(W * H);
  const mag = new Float32Array(W * H);
  for (let i = 1; i < H - 1; i++) {
    for (let j = 1; j < W - 1; j++) {
      const o = i * W + j;
      const x = d[o - W + 1] - d[o - W - 1] + 2 * (d[o + 1] - d[o - 1]) + d[o + W + 1] - d[o + W - 1];
      const y = d[o + W - 1] - d[o - W - 1] + 2 * (d[o + W] - d[o - W]) + d[o + W + 1] - d[o - W + 1];
      gx[o] = x;
      gy[o] = y;
      mag[o] = Math.hypot(x, y);
    }
  }
  // the level of the strongest gradients: the 98th percentile, from a coarse histogram
  let top = 0;
  for (let k = 0; k < mag.length; k++) if (mag[k] > top) top = mag[k];
  if (top <= 0) return [];
  const hist = new Uint32Array(256);
  for (let k = 0; k < mag.length; k++) hist[Math.min(255, Math.floor((mag[k] / top) * 256))]++;
  let seen = 0;
  let p98 = 255;
  for (let b = 255; b >= 0; b--) {
    seen += hist[b];
    if (seen >= 0.02 * mag.length) {
      p98 = b;
      break;
    }
  }
  const minMag = Math.max(8, edgeLevel * ((p98 + 1) / 256) * top);

  const reach = MAX_STRAIGHTEN + 1;
  const nTheta = Math.round((2 * reach) / DEG_PER_BIN) + 1;
  const diag = Math.ceil(Math.hypot(W, H));
  // distance bins over ±diag, the bin of distance 0 in the middle
  const rhoZero = Math.ceil(diag / rhoBin);
  const nRho = 2 * rhoZero + 1;
  const acc = [new Float32Array(nTheta * nRho), new Float32Array(nTheta * nRho)];
  const cosT = new Float64Array(nTheta);
  const sinT = new Float64Array(nTheta);
  for (let t = 0; t < nTheta; t++) {
    const a = ((t * DEG_PER_BIN - reach) * Math.PI) / 180;
    cosT[t] = Math.cos(a);
    sinT[t] = Math.sin(a);
  }
  const within = Math.round(voteWithin / DEG_PER_BIN);
  const [cx, cy] = [W / 2, H / 2];
  for (let i = 2; i < H - 2; i++) {
    for (let j = 2; j < W - 2; j++) {
      const o = i * W + j;
      const m = mag[o];
      if (m < minMag) continue;
      // thin the edge: a maximum of the gradient along its own direction (nearest of 8 neighbours)
      const sx = Math.round(gx[o] / m);
      const sy = Math.round(gy[o] / m);
      if (m < mag[o + sy * W + sx] || m <= mag[o - sy * W - sx]) continue;
      // the gradient's angle (y down), folded to the nearest axis: the line across it leans the same way
      let deg = (Math.atan2(gy[o], gx[o]) * 180) / Math.PI;
      // a gradient near the x axis is a line near upright
      const upright = Math.abs(deg) <= 45 || Math.abs(deg) >= 135;
      deg = ((((deg + 45) % 90) + 90) % 90) - 45;
      if (Math.abs(deg) > reach + voteWithin) continue;
      const [x, y] = [j - cx, i - cy];
      const family = acc[upright ? 1 : 0];
      const t0 = Math.round((deg + reach) / DEG_PER_BIN);
      for (let t = Math.max(0, t0 - within); t <= Math.min(nTheta - 1, t0 + within); t++) {
        // the distance of the line through (x, y) at this lean from the photo's centre
        const rho = upright ? x * cosT[t] + y * sinT[t] : y * cosT[t] - x * sinT[t];
        family[t * nRho + Math.round(rho / rhoBin) + rhoZero] += 1;
      }
    }
  }

  const minVotes = minLine * Math.min(W, H);
  const lines: Line[] = [];
  const clearRho = Math.max(1, Math.round(CLEAR_PX / rhoBin));
  const clearTheta = Math.round(CLEAR_DEG / DEG_PER_BIN);
  for (const [f, family] of acc.entries()) {
    for (let n = 0; n < MAX_LINES; n++) {
      let best = -1;
      let bestVotes = minVotes;
      for (let k = 0; k < family.length; k++) {
        if (family[k] >= bestVotes) {
          bestVotes = family[k];
          best = k;
        }
      }
      if (best < 0) break;
      const [t, r] = [Math.floor(best / nRho), best % nRho];
      const deg = t * DEG_PER_BIN - reach;
      if (Math.abs(deg) <= MAX_STRAIGHTEN) lines.push({ deg, rho: (r - rhoZero) * rhoBin, votes: bestVotes, upright: f === 1 });
      for (let tt = Math.max(0, t - clearTheta); tt <= Math.min(nTheta - 1, t + clearTheta); tt++) {
        for (let rr = Math.max(0, r - clearRho); rr <= Math.min(nRho - 1, r + clearRho); rr++) family[tt * nRho + rr] = 0;
      }
    }
  }
  return lines;
}

/**
 * The `n` strongest leans of the photo's long lines (positive: turned counter-clockwise as seen,
 * as straighten.ts `leans`), strongest first, at least 1° apart, each with its share of the
 * lines' weight. A line weighs its length: one long edge says more than many short ones.
 */
export function lineLeans(px: Pixels, n: number, opts: LineOptions = {}): { degrees: number; share: number; lines: number }[] {
  const lines = straightLines(px, opts);
  const total = lines.reduce((s, l) => s + l.votes, 0);
  if (total <= 0) return [];
  if (opts.converging) {
    const side = Math.min(px.width, px.height);
    return [true, false]
      .map((upright) =>
        convergedLean(
          lines.filter((l) => l.upright === upright),
          side,
        ),
      )
      .filter((c): c is NonNullable<typeof c> => c !== null)
      .map((c) => ({ degrees: -c.deg, share: c.votes / total, lines: c.lines }))
      .sort((a, b) => b.share - a.share)
      .slice(0, n);
  }
  const out: { degrees: number; share: number; lines: number }[] = [];
  const left = [...lines];
  while (out.length < n && left.length) {
    // the lean with the most line weight within ±0.5° of it
    let best = { deg: 0, w: -1 };
    for (const l of left) {
      const w = left.reduce((s, m) => s + (Math.abs(m.deg - l.deg) <= 0.5 ? m.votes : 0), 0);
      if (w > best.w) best = { deg: l.deg, w };
    }
    const near = left.filter((m) => Math.abs(m.deg - best.deg) <= 0.5);
    const mean = near.reduce((s, m) => s + m.deg * m.votes, 0) / best.w;
    out.push({ degrees: -mean, share: best.w / total, lines: near.length });
    for (let k = left.length - 1; k >= 0; k--) if (Math.abs(left[k].deg - mean) < 1) left.splice(k, 1);
  }
  return out;
}

/** A line fits a converging family when its lean is this close to the fit's at its place, degrees. */
const FITS_WITHIN = 0.6;

/**
 * One family's lean at the photo's centre. Lines that meet at a vanishing point far off lean in
 * proportion to where they cross the middle (lean ≈ a + b·ρ for small angles), and a turn of
 * the photo adds its angle to every one of them: `a` is the roll. Fitted robustly: each pair of
 * lines far enough apart proposes a fit, the one with the most line weight within FITS_WITHIN
 * is refitted on those lines (weighted least squares). At least three lines, or null.
 */
export function convergedLean(lines: readonly Line[], side: number): { deg: number; slope: number; votes: number; lines: number } | null {
  if (lines.length < 3) return null;
  const leastSquares = (ls: readonly Line[]) => {
    let [sw, sx, sy, sxx, sxy] = [0, 0, 0, 0, 0];
    for (const l of ls) {
      sw += l.votes;
      sx += l.votes * l.rho;
      sy += l.votes * l.deg;
      sxx += l.votes * l.rho * l.rho;
      sxy += l.votes * l.rho * l.deg;
    }
    const det = sw * sxx - sx * sx;
    const slope = Math.abs(det) < 1e-9 ? 0 : (sw * sxy - sx * sy) / det;
    return { a: (sy - slope * sx) / sw, slope };
  };
  const inliers = (f: { a: number; slope: number }) => lines.filter((l) => Math.abs(l.deg - (f.a + f.slope * l.rho)) <= FITS_WITHIN);
  const weight = (ls: readonly Line[]) => ls.reduce((s, l) => s + l.votes, 0);
  let best: Line[] = [];
  for (let i = 0; i < lines.length; i++) {
    // one line alone, as if its family were parallel, and each pair far enough apart to show a convergence
    const proposals = [{ a: lines[i].deg, slope: 0 }];
    for (let j = i + 1; j < lines.length; j++) if (Math.abs(lines[i].rho - lines[j].rho) >= 0.2 * side) proposals.push(leastSquares([lines[i], lines[j]]));
    for (const f of proposals) {
      const ins = inliers(f);
      if (weight(ins) > weight(best)) best = ins;
    }
  }
  if (best.length < 3) return null;
  const f = leastSquares(best);
  const final = inliers(f);
  if (final.length < 3) return null;
  return { deg: f.a, slope: f.slope, votes: weight(final), lines: final.length };
}

/** The pixels a line passes through, in a W×H photo (for drawing it). */
export function linePixels(line: Line, W: number, H: number): [number, number][] {
  const a = (line.deg * Math.PI) / 180;
  const [c, s] = [Math.cos(a), Math.sin(a)];
  const out: [number, number][] = [];
  if (line.upright) {
    for (let i = 0; i < H; i++) out.push([Math.round(W / 2 + (line.rho - (i - H / 2) * s) / c), i]);
  } else {
    for (let j = 0; j < W; j++) out.push([j, Math.round(H / 2 + (line.rho + (j - W / 2) * s) / c)]);
  }
  return out.filter(([x, y]) => x >= 0 && y >= 0 && x < W && y < H);
}
