import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import jpeg from 'jpeg-js';

// The bench's photo set: real BIQ2021 photos (512×512) brought to phone-camera sizes (0.3–12 MP)
// by tiling four photos 2×2 and upscaling bilinearly, then JPEG-encoded (quality 90). Pure JS,
// so the same files come out on every machine; cached under .cache/bench/photos.

export const REPO = resolve(import.meta.dirname, '../..');
export const PHOTO_DIR = join(REPO, '.cache/bench/photos');
const DATA = resolve(REPO, '../shared/data/biq2021');

/** Megapixels and aspect (w:h) of the set, cycled: mixed sizes with a bias to phone shots. */
const SIZES: [number, number][] = [
  [0.3, 4 / 3],
  [12, 3 / 4],
  [1, 1],
  [5, 16 / 9],
  [2, 3 / 4],
  [8, 4 / 3],
  [0.5, 1],
  [3, 4 / 3],
  [12, 4 / 3],
  [0.3, 3 / 4],
  [2, 16 / 9],
  [8, 3 / 4],
  [1, 4 / 3],
  [5, 3 / 4],
  [3, 1],
  [0.5, 4 / 3],
];

export interface BenchPhoto {
  file: string;
  width: number;
  height: number;
  megapixels: number;
  bytes: number;
  sources: string[];
}

export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Val-split photos in file order, every subset mixed in. */
function sourceNames(count: number): string[] {
  const rows = readFileSync(join(DATA, 'val.csv'), 'utf8').trim().split('\n').slice(1);
  const names = rows.map((r) => r.slice(0, r.lastIndexOf(',', r.lastIndexOf(',') - 1)));
  const bySubset = ['ss01', 'ss02', 'ss03'].map((s) => names.filter((n) => n.startsWith(s)));
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) for (const list of bySubset) if (out.length < count && list[i]) out.push(list[i]);
  return out;
}

export function tile(images: Rgba[]): Rgba {
  const side = Math.min(...images.map((i) => Math.min(i.width, i.height)));
  const out = { width: side * 2, height: side * 2, data: new Uint8Array(side * side * 16) };
  images.forEach((img, k) => {
    const ox = (k % 2) * side;
    const oy = (k >> 1) * side;
    for (let y = 0; y < side; y++) {
      const src = y * img.width * 4;
      out.data.set(img.data.subarray(src, src + side * 4), ((oy + y) * out.width + ox) * 4);
    }
  });
  return out;
}

export function resizeBilinear(img: Rgba, width: number, height: number): Rgba {
  const out = new Uint8Array(width * height * 4);
  const sx = img.width / width;
  const sy = img.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(img.height - 1, Math.floor(fy));
    const y1 = Math.min(img.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5);
      const x0 = Math.min(img.width - 1, Math.floor(fx));
      const x1 = Math.min(img.width - 1, x0 + 1);
      const wx = fx - x0;
      const a = (y0 * img.width + x0) * 4;
      const b = (y0 * img.width + x1) * 4;
      const c = (y1 * img.width + x0) * 4;
      const d = (y1 * img.width + x1) * 4;
      const o = (y * width + x) * 4;
      for (let ch = 0; ch < 3; ch++) {
        const top = img.data[a + ch] + (img.data[b + ch] - img.data[a + ch]) * wx;
        const bottom = img.data[c + ch] + (img.data[d + ch] - img.data[c + ch]) * wx;
        out[o + ch] = Math.round(top + (bottom - top) * wy);
      }
      out[o + 3] = 255;
    }
  }
  return { width, height, data: out };
}

function dims(mp: number, aspect: number): [number, number] {
  const h = Math.round(Math.sqrt((mp * 1e6) / aspect));
  return [Math.round(h * aspect), h];
}

/** Makes (or finds cached) `count` photos; `onProgress(i)` after each. */
export function ensurePhotos(count: number, onProgress: (done: number, photo: BenchPhoto) => void = () => {}): BenchPhoto[] {
  mkdirSync(PHOTO_DIR, { recursive: true });
  const names = sourceNames(count * 4);
  const photos: BenchPhoto[] = [];
  for (let i = 0; i < count; i++) {
    const [mp, aspect] = SIZES[i % SIZES.length];
    const [width, height] = dims(mp, aspect);
    const sources = mp < 1 ? [names[i * 4]] : names.slice(i * 4, i * 4 + 4);
    const id = createHash('sha1')
      .update(JSON.stringify({ v: 1, width, height, sources }))
      .digest('hex')
      .slice(0, 8);
    const file = `p${String(i).padStart(2, '0')}-${width}x${height}-${id}.jpg`;
    const path = join(PHOTO_DIR, file);
    if (!existsSync(path)) {
      const decoded = sources.map((s) => jpeg.decode(readFileSync(join(DATA, 'images', s)), { useTArray: true, formatAsRGBA: true }) as Rgba);
      const base = decoded.length === 4 ? tile(decoded) : decoded[0];
      const big = resizeBilinear(base, width, height);
      const tmp = `${path}.tmp`;
      writeFileSync(tmp, jpeg.encode(big, 90).data);
      renameSync(tmp, path);
    }
    const bytes = readFileSync(path).byteLength;
    const photo = { file, width, height, megapixels: Math.round((width * height) / 1e4) / 100, bytes, sources };
    photos.push(photo);
    onProgress(i + 1, photo);
  }
  return photos;
}
