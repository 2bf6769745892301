/**
 * The EXIF orientation (1–8) of a JPEG, from its APP1 segment; 1 when there is none or it cannot
 * be read. Only the tag is read, never trusted further: a bad value reads as 1.
 */
export function jpegOrientation(b: Uint8Array): number {
  let i = 2;
  while (i + 4 <= b.length && b[i] === 0xff) {
    const marker = b[i + 1];
    if (marker === 0xda || marker === 0xd9) break; // image data: no APP1 past here
    const len = (b[i + 2] << 8) | b[i + 3];
    if (marker === 0xe1 && len >= 8 && b[i + 4] === 0x45 && b[i + 5] === 0x78 && b[i + 6] === 0x69 && b[i + 7] === 0x66) {
      return tiffOrientation(b.subarray(i + 10, Math.min(b.length, i + 2 + len)));
    }
    i += 2 + len;
  }
  return 1;
}

/** Tag 0x0112 of IFD0 in a TIFF block ("II" or "MM" byte order). */
function tiffOrientation(t: Uint8Array): number {
  if (t.length < 8) return 1;
  const v = new DataView(t.buffer, t.byteOffset, t.byteLength);
  const le = t[0] === 0x49 && t[1] === 0x49;
  if (!le && !(t[0] === 0x4d && t[1] === 0x4d)) return 1;
  const ifd = v.getUint32(4, le);
  if (ifd + 2 > t.length) return 1;
  const count = v.getUint16(ifd, le);
  for (let e = 0; e < count; e++) {
    const at = ifd + 2 + e * 12;
    if (at + 12 > t.length) return 1;
    if (v.getUint16(at, le) === 0x0112) {
      const o = v.getUint16(at + 8, le);
      return o >= 1 && o <= 8 ? o : 1;
    }
  }
  return 1;
}
