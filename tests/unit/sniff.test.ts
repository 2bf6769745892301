import { PNG } from 'pngjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkImageBytes, headerSize, sniffKind } from '../../src/core/image/sniff';
import type { CoachError } from '../../src/core/errors';

const photo = (name: string) => new Uint8Array(readFileSync(join(import.meta.dirname, '../fixtures/photos', name)));
const bytes = (s: string) => new TextEncoder().encode(s);
const codeOf = (b: Uint8Array) => {
  try {
    checkImageBytes(b);
    return 'OK';
  } catch (e) {
    return (e as CoachError).code;
  }
};
function png(w: number, h: number): Uint8Array {
  const out = PNG.sync.write(new PNG({ width: 1, height: 1 }));
  out.writeUInt32BE(w, 16);
  out.writeUInt32BE(h, 20);
  return new Uint8Array(out);
}

describe('sniffing and header checks', () => {
  it('reads real photo headers', () => {
    expect(sniffKind(photo('biq-ss01-2.jpg'))).toBe('jpeg');
    expect(headerSize(photo('biq-ss01-2.jpg'), 'jpeg')).toEqual({ width: 512, height: 512 });
    expect(headerSize(photo('coffee.png'), 'png')).toEqual({ width: 600, height: 400 });
  });

  it.each([
    ['empty', new Uint8Array(0), 'EMPTY_FILE'],
    ['text', bytes('shopping list: milk, eggs\n'), 'NOT_AN_IMAGE'],
    ['random bytes', Uint8Array.from({ length: 400 }, (_, i) => (i * 7919 + 13) % 256), 'NOT_AN_IMAGE'],
    ['svg', bytes('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'UNSUPPORTED_FORMAT'],
    ['truncated jpeg header', photo('biq-ss01-2.jpg').subarray(0, 40), 'CORRUPT_IMAGE'],
    ['jpeg cut in its scan data', photo('biq-ss01-2.jpg').subarray(0, 8000), 'CORRUPT_IMAGE'],
    ['jpeg missing only its end marker', photo('biq-ss01-2.jpg').subarray(0, photo('biq-ss01-2.jpg').length - 2), 'CORRUPT_IMAGE'],
    ['jpeg with bytes after its end (camera trailers)', Uint8Array.from([...photo('biq-ss01-2.jpg'), 0, 0, 0, 0]), 'OK'],
    ['png cut short', photo('coffee.png').subarray(0, 50000), 'CORRUPT_IMAGE'],
    ['decompression bomb', png(20000, 20000), 'TOO_LARGE'],
    ['1×1', png(1, 1), 'TOO_SMALL'],
    ['tiny strip', png(2000, 40), 'TOO_SMALL'],
    ['fine png', png(800, 600), 'OK'],
    ['real jpeg', photo('biq-ss02-38.jpg'), 'OK'],
    ['heic', Uint8Array.from([0, 0, 0, 24, ...bytes('ftypheic'), 0, 0, 0, 0, ...bytes('mif1heic')]), 'OK'],
    ['gif', Uint8Array.from([...bytes('GIF89a'), 0x40, 0x01, 0xf0, 0x00, 0, 0, 0]), 'OK'],
  ])('%s → %s', (_, b, code) => {
    expect(codeOf(b)).toBe(code);
  });

  it('reads WebP (lossy, lossless, extended) and BMP headers', () => {
    const riff = (chunk: string, body: number[]) => Uint8Array.from([...bytes('RIFF'), 0, 0, 0, 0, ...bytes('WEBP'), ...bytes(chunk), 0, 0, 0, 0, ...body]);
    // VP8: frame tag (3), start code (3), then 14-bit width and height
    const vp8 = riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, 0x20, 0x03, 0x58, 0x02]);
    expect(sniffKind(vp8)).toBe('webp');
    expect(headerSize(vp8, 'webp')).toEqual({ width: 800, height: 600 });
    // VP8L: signature 0x2f, then (w-1) in 14 bits and (h-1) in the next 14
    const bits = (640 - 1) | ((480 - 1) << 14);
    const vp8l = riff('VP8L', [0x2f, bits & 255, (bits >> 8) & 255, (bits >> 16) & 255, (bits >>> 24) & 255]);
    expect(headerSize(vp8l, 'webp')).toEqual({ width: 640, height: 480 });
    // VP8X: flags (4), then (w-1) and (h-1) in 24 bits each
    const vp8x = riff('VP8X', [0, 0, 0, 0, 0x1f, 0x4e, 0x00, 0x1f, 0x4e, 0x00]);
    expect(headerSize(vp8x, 'webp')).toEqual({ width: 20000, height: 20000 });
    expect(codeOf(vp8x)).toBe('TOO_LARGE');
    const bmp = new Uint8Array(54);
    bmp.set(bytes('BM'));
    new DataView(bmp.buffer).setInt32(18, 300, true);
    new DataView(bmp.buffer).setInt32(22, -200, true); // top-down rows
    expect(sniffKind(bmp)).toBe('bmp');
    expect(headerSize(bmp, 'bmp')).toEqual({ width: 300, height: 200 });
  });

  it('refuses SVG however it starts', () => {
    expect(codeOf(bytes('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"/>'))).toBe('UNSUPPORTED_FORMAT');
    expect(codeOf(bytes('\uFEFF<!-- drawn by hand -->\n<svg viewBox="0 0 1 1"></svg>'))).toBe('UNSUPPORTED_FORMAT');
  });

  it('knows heic apart from avif', () => {
    expect(sniffKind(Uint8Array.from([0, 0, 0, 24, ...bytes('ftypheic')]))).toBe('heic');
    expect(sniffKind(Uint8Array.from([0, 0, 0, 24, ...bytes('ftypavif')]))).toBe('avif');
  });
});
