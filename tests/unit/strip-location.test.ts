import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { jpegOrientation } from '../../src/core/image/exif';
import { stripLocation, withoutLocation } from '../../src/core/image/strip-location';
import { GPS_LATITUDE_BYTES, withExif, withGps } from '../fixtures/exif';

const photo = readFileSync(join(import.meta.dirname, '../fixtures/photos/biq-ss02-38.jpg'));
const has = (b: Uint8Array, s: string) => Buffer.from(b).includes(Buffer.from(s, 'latin1'));
const latitude = GPS_LATITUDE_BYTES;

describe('location removed from a photo before it leaves the coach', () => {
  it('drops the GPS IFD and the XMP packet, keeps the orientation and every pixel', () => {
    const tagged = withGps(photo, 6);
    expect(Buffer.from(tagged).includes(latitude)).toBe(true);
    expect(has(tagged, 'GPSLatitude')).toBe(true);
    const { bytes, removed } = stripLocation(tagged);
    expect(removed.sort()).toEqual(['gps', 'xmp']);
    expect(Buffer.from(bytes).includes(latitude)).toBe(false);
    expect(has(bytes, 'GPSLatitude')).toBe(false);
    expect(jpegOrientation(bytes)).toBe(6);
    expect(jpeg.decode(bytes).data).toEqual(jpeg.decode(photo).data);
  });

  it('leaves a photo without a location byte for byte, and other formats alone', () => {
    const plain = withExif(photo, 3);
    expect(stripLocation(plain)).toEqual({ bytes: plain, removed: [] });
    const png = readFileSync(join(import.meta.dirname, '../fixtures/photos/coffee.png'));
    expect(stripLocation(png).bytes).toBe(png);
    expect(stripLocation(new Uint8Array([0xff, 0xd8, 0xff])).removed).toEqual([]); // cut short
  });

  it('gives a File with the same name, type and date', async () => {
    const file = new File([withGps(photo, 1)], 'home.jpg', { type: 'image/jpeg', lastModified: 1234 });
    const { file: out, removed } = await withoutLocation(file);
    expect(removed.sort()).toEqual(['gps', 'xmp']);
    expect([out.name, out.type, out.lastModified]).toEqual(['home.jpg', 'image/jpeg', 1234]);
    expect(Buffer.from(await out.arrayBuffer()).includes(latitude)).toBe(false);
    const same = new File([photo], 'a.jpg', { type: 'image/jpeg' });
    expect((await withoutLocation(same)).file).toBe(same);
  });
});
