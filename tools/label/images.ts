// Photos to label: files and folders (recursively) or a list file; hashed and typed by content.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sniffKind } from '../../src/core/image/sniff';

const EXT = /\.(jpe?g|png|webp|gif)$/i;
const MIME: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif' };

export function listImages(args: string[], listFile?: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) for (const n of readdirSync(p).sort()) walk(join(p, n));
    else if (EXT.test(p)) out.push(p);
  };
  for (const a of args) {
    if (statSync(a).isDirectory()) walk(a);
    else out.push(a);
  }
  if (listFile)
    out.push(
      ...readFileSync(listFile, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    );
  return out;
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The MIME type the endpoint is told, from the bytes; throws for kinds vision endpoints refuse. */
export function mimeOf(bytes: Uint8Array, file: string): string {
  const kind = sniffKind(bytes);
  const mime = MIME[kind];
  if (!mime) throw new Error(`${file}: ${kind} images are not accepted (send JPEG, PNG, WebP or GIF)`);
  return mime;
}

export interface Photo {
  file: string;
  sha256: string;
}

/** Hashes every file once; later files with an already-seen hash are dropped. */
export function hashPhotos(files: string[]): Photo[] {
  const seen = new Set<string>();
  const out: Photo[] = [];
  for (const file of files) {
    const h = sha256(readFileSync(file));
    if (seen.has(h)) continue;
    seen.add(h);
    out.push({ file, sha256: h });
  }
  return out;
}
