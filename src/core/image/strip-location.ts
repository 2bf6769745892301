// A seller's photo goes to someone else's site: where it was taken (often the seller's home)
// must not go with it. This removes the location a JPEG carries and leaves everything else
// byte for byte — the pixels, and the EXIF orientation the browser applies when it shows it:
// - the GPS IFD of the EXIF block: its pointer entry leaves IFD0 (the entries after it move up,
//   so no other offset changes) and its entries and their values are overwritten with zeros;
// - XMP packets (APP1 "http://ns.adobe.com/xap/1.0/" and its extension), which can repeat the
//   location as exif:GPS* properties: the whole segment is dropped.
// Other formats are returned as they are (PNG, WebP and GIF from phones carry no location in
// practice; HEIC is not accepted by the coach).

const GPS_POINTER = 0x8825;
const TYPE_BYTES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8 };
const XMP = 'http://ns.adobe.com/xap/1.0/\0';
const XMP_EXTENSION = 'http://ns.adobe.com/xmp/extension/\0';

export interface Stripped {
  bytes: Uint8Array;
  /** What was removed: "gps" and/or "xmp"; empty when the photo carried neither. */
  removed: string[];
}

const startsWith = (b: Uint8Array, at: number, s: string) => {
  if (at + s.length > b.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
};

export function stripLocation(input: Uint8Array): Stripped {
  if (input.length < 4 || input[0] !== 0xff || input[1] !== 0xd8) return { bytes: input, removed: [] };
  const b = input.slice();
  const removed = new Set<string>();
  const keep: [number, number][] = [[0, 2]];
  let i = 2;
  while (i + 4 <= b.length && b[i] === 0xff) {
    const marker = b[i + 1];
    if (marker === 0xda || marker === 0xd9) break; // image data from here on
    const end = i + 2 + ((b[i + 2] << 8) | b[i + 3]);
    if (end > b.length) break;
    if (marker === 0xe1 && (startsWith(b, i + 4, XMP) || startsWith(b, i + 4, XMP_EXTENSION))) {
      removed.add('xmp');
    } else {
      if (marker === 0xe1 && startsWith(b, i + 4, 'Exif\0\0') && dropGps(b.subarray(i + 10, end))) removed.add('gps');
      keep.push([i, end]);
    }
    i = end;
  }
  if (!removed.size) return { bytes: input, removed: [] };
  keep.push([i, b.length]);
  const out = new Uint8Array(keep.reduce((n, [s, e]) => n + e - s, 0));
  let o = 0;
  for (const [s, e] of keep) {
    out.set(b.subarray(s, e), o);
    o += e - s;
  }
  return { bytes: out, removed: [...removed] };
}

/** Removes the GPS IFD from a TIFF block in place; true when there was one. */
function dropGps(t: Uint8Array): boolean {
  if (t.length < 8) return false;
  const le = t[0] === 0x49 && t[1] === 0x49;
  if (!le && !(t[0] === 0x4d && t[1] === 0x4d)) return false;
  const v = new DataView(t.buffer, t.byteOffset, t.byteLength);
  const ifd = v.getUint32(4, le);
  if (ifd + 2 > t.length) return false;
  const count = v.getUint16(ifd, le);
  const entriesEnd = ifd + 2 + count * 12;
  if (entriesEnd + 4 > t.length) return false;
  for (let e = 0; e < count; e++) {
    const at = ifd + 2 + e * 12;
    if (v.getUint16(at, le) !== GPS_POINTER) continue;
    zeroIfd(t, v, v.getUint32(at + 8, le), le);
    // the later entries and the next-IFD offset move up by one entry; the freed bytes are zeroed
    t.copyWithin(at, at + 12, entriesEnd + 4);
    t.fill(0, entriesEnd - 8, entriesEnd + 4);
    v.setUint16(ifd, count - 1, le);
    return true;
  }
  return false;
}

/** Overwrites an IFD's entries, their out-of-line values and its count with zeros. */
function zeroIfd(t: Uint8Array, v: DataView, ifd: number, le: boolean) {
  if (ifd + 2 > t.length) return;
  const count = v.getUint16(ifd, le);
  for (let e = 0; e < count; e++) {
    const at = ifd + 2 + e * 12;
    if (at + 12 > t.length) break;
    const size = (TYPE_BYTES[v.getUint16(at + 2, le)] ?? 1) * v.getUint32(at + 4, le);
    if (size > 4) {
      const off = v.getUint32(at + 8, le);
      if (off < t.length) t.fill(0, off, Math.min(t.length, off + size));
    }
    t.fill(0, at, at + 12);
  }
  t.fill(0, ifd, ifd + 2);
}

/** The file as the host should receive it: without its location, same name, type and date. */
export async function withoutLocation(file: File): Promise<{ file: File; removed: string[] }> {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  if (head[0] !== 0xff || head[1] !== 0xd8) return { file, removed: [] };
  const { bytes, removed } = stripLocation(new Uint8Array(await file.arrayBuffer()));
  if (!removed.length) return { file, removed };
  return { file: new File([bytes as BlobPart], file.name, { type: file.type, lastModified: file.lastModified }), removed };
}
