import decodeJpeg, { init as initDecode } from '@jsquash/jpeg/decode.js';
import encodeJpeg, { init as initEncode } from '@jsquash/jpeg/encode.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { REPO } from './build';

// A real photo blown up to a given size and saved as JPEG, for the "huge photo from a new
// phone" cases. Too big to commit, so it is made on first use and kept in .cache/.

const wasm = (path: string) => WebAssembly.compile(readFileSync(createRequire(import.meta.url).resolve(path)));

/** Path of `source` (a JPEG) scaled by nearest neighbour to width × height, JPEG quality 85. */
export async function bigJpeg(source: string, width: number, height: number): Promise<string> {
  const out = join(REPO, '.cache/fixtures', `big-${width}x${height}.jpg`);
  if (existsSync(out)) return out;
  await initDecode(await wasm('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm'));
  await initEncode(await wasm('@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm'));
  const src = await decodeJpeg(readFileSync(source).buffer as ArrayBuffer);
  const pixels = new Uint8ClampedArray(width * height * 4);
  const px = new Uint32Array(pixels.buffer);
  const spx = new Uint32Array(src.data.buffer, src.data.byteOffset, src.width * src.height);
  const xs = Int32Array.from({ length: width }, (_, x) => Math.floor((x * src.width) / width));
  for (let y = 0; y < height; y++) {
    const row = Math.floor((y * src.height) / height) * src.width;
    for (let x = 0; x < width; x++) px[y * width + x] = spx[row + xs[x]];
  }
  const jpeg = await encodeJpeg({ data: pixels, width, height, colorSpace: 'srgb' } as ImageData, { quality: 85 });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, new Uint8Array(jpeg));
  return out;
}
