import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jpegOrientation } from '../../src/core/image/exif';
import { withExif } from '../fixtures/exif';

const BAD = join(import.meta.dirname, '../fixtures/bad-input');
const read = (name: string) => new Uint8Array(readFileSync(join(BAD, name)));

describe('jpegOrientation', () => {
  it('reads the tag of each orientation fixture (big-endian TIFF)', () => {
    for (let o = 1; o <= 8; o++) expect(jpegOrientation(read(`orientation-${o}.jpg`))).toBe(o);
  });

  it('reads a little-endian TIFF block', () => {
    const tiff = [0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
    const body = [...Buffer.from('Exif\0\0', 'latin1'), ...tiff];
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body, 0xff, 0xda, 0, 2, 0xff, 0xd9]);
    expect(jpegOrientation(jpeg)).toBe(6);
  });

  it('reads 1 where there is no tag, a bad value or a cut-short block', () => {
    expect(jpegOrientation(read('upright.jpg'))).toBe(1);
    expect(jpegOrientation(read('random.jpg'))).toBe(1);
    expect(jpegOrientation(withExif(read('upright.jpg'), 9))).toBe(1);
    expect(jpegOrientation(withExif(read('upright.jpg'), 6).subarray(0, 20))).toBe(1);
  });
});
