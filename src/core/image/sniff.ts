import { CoachError } from '../errors';

// What a file really is, from its first bytes, and its pixel size from the header — before
// anything is decoded, so decompression bombs and disguised files are refused cheaply.

export type ImageKind = 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp' | 'avif' | 'heic' | 'tiff' | 'svg' | 'text' | 'unknown';

export const LIMITS = {
  maxBytes: 50 * 1024 * 1024,
  maxPixels: 100e6,
  minSide: 64,
};

const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

export function sniffKind(b: Uint8Array): ImageKind {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && ascii(b, 1, 4) === 'PNG' && b[0] === 0x89) return 'png';
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return 'gif';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
  if (b.length >= 2 && ascii(b, 0, 2) === 'BM') return 'bmp';
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a) || (b[0] === 0x4d && b[1] === 0x4d && b[3] === 0x2a))) return 'tiff';
  if (b.length >= 12 && ascii(b, 4, 8) === 'ftyp') {
    const brand = ascii(b, 8, 12);
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (/^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(brand)) return 'heic';
  }
  const head = new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(0, 1024)).replace(/^\uFEFF/, '');
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(head)) return 'svg';
  // mostly printable characters and no NULs: a text file
  const sample = b.subarray(0, 512);
  let printable = 0;
  for (const c of sample) if (c === 9 || c === 10 || c === 13 || (c >= 32 && c !== 127)) printable++;
  if (sample.length && !sample.includes(0) && printable / sample.length > 0.95) return 'text';
  return 'unknown';
}

function jpegSize(b: Uint8Array): Size | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    const len = (b[i + 2] << 8) | b[i + 3];
    // SOF0…SOF15, except DHT (C4), JPG (C8) and DAC (CC)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (b[i + 5] << 8) | b[i + 6], width: (b[i + 7] << 8) | b[i + 8] };
    }
    i += 2 + len;
  }
  return null;
}

/**
 * Whether the JPEG's data runs to its end marker. Inside entropy-coded data a 0xFF byte is always
 * followed by 0x00 or a restart marker, so an FFD9 after the first scan starts is the real end
 * (an embedded thumbnail's FFD9 sits in APP1, before it). Browsers draw a cut-short JPEG with a
 * grey bottom instead of failing; the listing would carry that broken file.
 */
function jpegComplete(b: Uint8Array): boolean {
  let i = 2;
  while (i + 3 < b.length) {
    if (b[i] !== 0xff) return false;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xda) break; // start of scan
    i += 2 + ((b[i + 2] << 8) | b[i + 3]);
  }
  // from the end: the marker is normally the last two bytes, so a whole photo is not scanned
  for (let j = b.length - 2; j >= i + 2; j--) if (b[j] === 0xff && b[j + 1] === 0xd9) return true;
  return false;
}

/** Whether the PNG has its IEND chunk (a cut-short PNG decodes to a partly blank picture). */
function pngComplete(b: Uint8Array): boolean {
  for (let j = b.length - 8; j >= 8; j--) if (b[j] === 0x49 && b[j + 1] === 0x45 && b[j + 2] === 0x4e && b[j + 3] === 0x44) return true;
  return false;
}

export interface Size {
  width: number;
  height: number;
}

/** Pixel size from the header, or null when the header is missing or cut short. */
export function headerSize(b: Uint8Array, kind: ImageKind): Size | null {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  try {
    switch (kind) {
      case 'jpeg':
        return jpegSize(b);
      case 'png':
        return b.length >= 24 && ascii(b, 12, 16) === 'IHDR' ? { width: v.getUint32(16), height: v.getUint32(20) } : null;
      case 'gif':
        return b.length >= 10 ? { width: v.getUint16(6, true), height: v.getUint16(8, true) } : null;
      case 'bmp':
        return b.length >= 26 ? { width: Math.abs(v.getInt32(18, true)), height: Math.abs(v.getInt32(22, true)) } : null;
      case 'webp': {
        const chunk = ascii(b, 12, 16);
        if (chunk === 'VP8 ' && b.length >= 30) return { width: v.getUint16(26, true) & 0x3fff, height: v.getUint16(28, true) & 0x3fff };
        if (chunk === 'VP8L' && b.length >= 25) {
          const bits = v.getUint32(21, true);
          return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
        }
        if (chunk === 'VP8X' && b.length >= 30) {
          return { width: 1 + (b[24] | (b[25] << 8) | (b[26] << 16)), height: 1 + (b[27] | (b[28] << 8) | (b[29] << 16)) };
        }
        return null;
      }
      default:
        return null;
    }
  } catch {
    return null;
  }
}

export interface Checked {
  kind: ImageKind;
  size: Size | null;
}

/**
 * Refuses what must not be decoded, with the code the UI explains. `size` is null for formats
 * whose header we do not parse (avif); the decoder's result is checked again after decoding.
 */
export function checkImageBytes(b: Uint8Array): Checked {
  if (b.length === 0) throw new CoachError('EMPTY_FILE', 'the file is empty');
  if (b.length > LIMITS.maxBytes) throw new CoachError('TOO_LARGE', `the file is ${b.length} bytes; the limit is ${LIMITS.maxBytes}`);
  const kind = sniffKind(b);
  if (kind === 'text' || kind === 'unknown') throw new CoachError('NOT_AN_IMAGE', `the file is not an image (${kind === 'text' ? 'text' : 'unrecognised bytes'})`);
  if (kind === 'svg') throw new CoachError('UNSUPPORTED_FORMAT', 'SVG drawings are not accepted: they can carry scripts and links, and are not photos');
  if (kind === 'tiff') throw new CoachError('UNSUPPORTED_FORMAT', 'TIFF is not supported by browsers');
  const size = headerSize(b, kind);
  if (!size && kind !== 'avif' && kind !== 'heic') throw new CoachError('CORRUPT_IMAGE', `the ${kind.toUpperCase()} header is missing or cut short`);
  if (size) checkSize(size);
  if ((kind === 'jpeg' && !jpegComplete(b)) || (kind === 'png' && !pngComplete(b))) {
    throw new CoachError('CORRUPT_IMAGE', `the ${kind.toUpperCase()} is cut short (its end marker is missing)`);
  }
  return { kind, size };
}

export function checkSize(size: Size): void {
  if (size.width < 1 || size.height < 1) throw new CoachError('CORRUPT_IMAGE', 'the image has no pixels');
  if (size.width * size.height > LIMITS.maxPixels) {
    throw new CoachError('TOO_LARGE', `${size.width}×${size.height} is over ${LIMITS.maxPixels / 1e6} megapixels`);
  }
  if (Math.min(size.width, size.height) < LIMITS.minSide) {
    throw new CoachError('TOO_SMALL', `${size.width}×${size.height} is under ${LIMITS.minSide} px on its short side`);
  }
}
