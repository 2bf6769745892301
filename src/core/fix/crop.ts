import type { CropBox } from '../fixes';
import type { Pixels } from '../image/views';

// Crop to the item: where the item is (the model's item locator, grown over the pixels that stand
// out from the backdrop), and the crop around it at the listing site's aspect ratio.
// Conservative by construction: the crop always holds the whole located item with a margin, or
// there is no crop.

/** The grid the locator works on: cells of the work-size photo, this many along the long side. */
const GRID = 48;
/** The ring of cells taken as the background. */
const RING = 2;
/** A cell is part of the item when it stands out from the background by this many spreads. */
const STANDS_OUT = 3;
/** A crop must leave out at least this share of the photo to be worth offering. */
export const MIN_CROP_GAIN = 0.2;
/** A crop keeps at least this share of the photo's width or height: a tighter one grows to it, as it would be too low in resolution. */
const MIN_CROP_SIDE = 0.4;

interface Grid {
  cols: number;
  rows: number;
  /** Mean RGB per cell. */
  colour: Float32Array;
  /** Mean gradient per cell. */
  edge: Float32Array;
}

function grid(px: Pixels): Grid {
  const { data, width: W, height: H, channels: C } = px;
  const step = Math.max(W, H) / GRID;
  const cols = Math.max(1, Math.round(W / step));
  const rows = Math.max(1, Math.round(H / step));
  const colour = new Float32Array(cols * rows * 3);
  const edge = new Float32Array(cols * rows);
  const count = new Float32Array(cols * rows);
  for (let y = 0; y < H - 1; y++) {
    const r = Math.min(rows - 1, Math.floor((y * rows) / H));
    for (let x = 0; x < W - 1; x++) {
      const c = Math.min(cols - 1, Math.floor((x * cols) / W));
      const cell = r * cols + c;
      const p = (y * W + x) * C;
      let g = 0;
      for (let k = 0; k < 3; k++) {
        colour[cell * 3 + k] += data[p + k];
        g += Math.abs(data[p + C + k] - data[p + k]) + Math.abs(data[p + W * C + k] - data[p + k]);
      }
      edge[cell] += g;
      count[cell]++;
    }
  }
  for (let cell = 0; cell < cols * rows; cell++) {
    const n = Math.max(1, count[cell]);
    for (let k = 0; k < 3; k++) colour[cell * 3 + k] /= n;
    edge[cell] /= n;
  }
  return { cols, rows, colour, edge };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * How much each cell stands out from the background: its colour's distance from the ring of
 * border cells, and its texture against theirs, each in units of the ring's own spread. The
 * ring's median is the background; the spread is the median absolute deviation, with a floor,
 * so a plain backdrop's tiny spread does not turn its grain into an item.
 */
function standOut(px: Pixels): { cols: number; rows: number; weight: Float32Array } {
  const g = grid(px);
  const ring: number[] = [];
  for (let r = 0; r < g.rows; r++) for (let c = 0; c < g.cols; c++) if (r < RING || c < RING || r >= g.rows - RING || c >= g.cols - RING) ring.push(r * g.cols + c);
  const bg = [0, 1, 2].map((k) => median(ring.map((cell) => g.colour[cell * 3 + k])));
  const dist = (cell: number) => Math.hypot(g.colour[cell * 3] - bg[0], g.colour[cell * 3 + 1] - bg[1], g.colour[cell * 3 + 2] - bg[2]);
  const colourSpread = Math.max(6, median(ring.map(dist)));
  const edgeBg = median(ring.map((cell) => g.edge[cell]));
  const edgeSpread = Math.max(4, median(ring.map((cell) => Math.abs(g.edge[cell] - edgeBg))));
  const weight = new Float32Array(g.cols * g.rows);
  for (let cell = 0; cell < weight.length; cell++) {
    const s = Math.max(dist(cell) / colourSpread, (g.edge[cell] - edgeBg) / edgeSpread);
    weight[cell] = s >= STANDS_OUT ? s : 0;
  }
  return { cols: g.cols, rows: g.rows, weight };
}

/** Smaller boxes are specks (a bird in the sky, a far sign), not an item to crop to. */
const MIN_ITEM_AREA = 0.01;
/** A detector's box at or above this score says an item is there (chosen on train photos, tools/model/README.md "Fixes"). */
export const DETECTED = 0.3;

/**
 * The box the item lies in, as shares of the frame, or null where the detector found none. The
 * detector says where an item is; the pixels say how far it reaches: its boxes (at least
 * `minScore`, together) grow over every cell that stands out from the backdrop and touches them,
 * so a clock on a trophy keeps the trophy; in a scene, where nothing stands out from the edges,
 * the box stays the detector's, and the model's framing decides (preview.ts).
 */
export function locateItem(px: Pixels, detections: readonly { box: CropBox; score: number }[], minScore = DETECTED): CropBox | null {
  const found = detections.filter((d) => d.score >= minScore && d.box.width * d.box.height >= MIN_ITEM_AREA);
  if (!found.length) return null;
  const { cols, rows, weight } = standOut(px);
  const inside = new Uint8Array(cols * rows);
  const queue: number[] = [];
  for (const { box } of found) {
    const [c0, c1] = [Math.floor(box.x * cols), Math.min(cols - 1, Math.ceil((box.x + box.width) * cols) - 1)];
    const [r0, r1] = [Math.floor(box.y * rows), Math.min(rows - 1, Math.ceil((box.y + box.height) * rows) - 1)];
    for (let r = r0; r <= r1; r++)
      for (let c = c0; c <= c1; c++)
        if (!inside[r * cols + c]) {
          inside[r * cols + c] = 1;
          queue.push(r * cols + c);
        }
  }
  // grow over standing-out cells, four-connected
  while (queue.length) {
    const cell = queue.pop()!;
    const [r, c] = [Math.floor(cell / cols), cell % cols];
    for (const [dr, dc] of [
      [-1, 0],
      [1, 0],
      [0, -1],
      [0, 1],
    ]) {
      const [nr, nc] = [r + dr, c + dc];
      if (nr < 0 || nc < 0 || nr >= rows || nc >= cols) continue;
      const n = nr * cols + nc;
      if (inside[n] || weight[n] <= 0) continue;
      inside[n] = 1;
      queue.push(n);
    }
  }
  let [c0, c1, r0, r1] = [cols, -1, rows, -1];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (inside[r * cols + c]) [c0, c1, r0, r1] = [Math.min(c0, c), Math.max(c1, c), Math.min(r0, r), Math.max(r1, r)];
  return { x: c0 / cols, y: r0 / rows, width: (c1 + 1 - c0) / cols, height: (r1 + 1 - r0) / rows };
}

/**
 * The crop around `item` (shares of a `frame` of pixels), `margin` of the item's longer side
 * added on every side, at `aspect` (width / height), and grown to MIN_CROP_SIDE — or null where
 * that crop would not hold the item and its margin, or would keep most of the photo anyway
 * (MIN_CROP_GAIN).
 */
export function cropAround(item: CropBox, frame: { width: number; height: number }, aspect: number, margin: number): CropBox | null {
  // in pixels, where the aspect ratio is meant
  const m = margin * Math.max(item.width * frame.width, item.height * frame.height);
  let w = item.width * frame.width + 2 * m;
  let h = item.height * frame.height + 2 * m;
  if (w / h < aspect) w = h * aspect;
  else h = w / aspect;
  const grow = Math.min((MIN_CROP_SIDE * frame.width) / w, (MIN_CROP_SIDE * frame.height) / h);
  if (grow > 1) [w, h] = [w * grow, h * grow];
  if (w > frame.width + 0.5 || h > frame.height + 0.5) return null;
  w = Math.min(w, frame.width);
  h = Math.min(h, frame.height);
  if ((w * h) / (frame.width * frame.height) > 1 - MIN_CROP_GAIN) return null;
  // centred on the item, then slid back inside the frame
  const cx = (item.x + item.width / 2) * frame.width;
  const cy = (item.y + item.height / 2) * frame.height;
  const x = Math.min(frame.width - w, Math.max(0, cx - w / 2));
  const y = Math.min(frame.height - h, Math.max(0, cy - h / 2));
  return { x: x / frame.width, y: y / frame.height, width: w / frame.width, height: h / frame.height };
}

/** `box` held inside the frame, at least `minSide` of it on each side. */
export function clampBox(box: CropBox, minSide = 0.05): CropBox {
  const width = Math.min(1, Math.max(minSide, box.width));
  const height = Math.min(1, Math.max(minSide, box.height));
  return { x: Math.min(1 - width, Math.max(0, box.x)), y: Math.min(1 - height, Math.max(0, box.y)), width, height };
}

/** A box at `aspect` (of a frame of pixels), `size` of the largest such box that fits, centred on (cx, cy) as shares. */
export function boxAt(frame: { width: number; height: number }, aspect: number, size: number, cx = 0.5, cy = 0.5): CropBox {
  const fits = Math.min(frame.width, frame.height * aspect);
  const w = (fits * size) / frame.width;
  const h = (fits * size) / aspect / frame.height;
  return clampBox({ x: cx - w / 2, y: cy - h / 2, width: w, height: h }, 0);
}

/** The box's pixels, rounded to whole pixels inside a frame of `width` × `height`. */
export function cropRect(box: CropBox, width: number, height: number): { x: number; y: number; width: number; height: number } {
  const x = Math.min(width - 1, Math.max(0, Math.round(box.x * width)));
  const y = Math.min(height - 1, Math.max(0, Math.round(box.y * height)));
  return { x, y, width: Math.max(1, Math.min(width - x, Math.round(box.width * width))), height: Math.max(1, Math.min(height - y, Math.round(box.height * height))) };
}

/** The pixels inside `box`, as RGBA. */
export function cropPixels(px: Pixels, box: CropBox): Pixels {
  const { data, width: W, height: H, channels: C } = px;
  const r = cropRect(box, W, H);
  const out = new Uint8ClampedArray(r.width * r.height * 4);
  for (let y = 0; y < r.height; y++)
    for (let x = 0; x < r.width; x++) {
      const p = ((r.y + y) * W + r.x + x) * C;
      const o = (y * r.width + x) * 4;
      out[o] = data[p];
      out[o + 1] = data[p + 1];
      out[o + 2] = data[p + 2];
      out[o + 3] = C === 4 ? data[p + 3] : 255;
    }
  return { data: out, width: r.width, height: r.height, channels: 4 };
}
