import { CoachError } from '../errors';
import type { ReadModelFile } from './bundle';

// Every model file is checked against the size and SHA-256 the model card lists, so a cut-short
// download, a proxy's error page or a stale cached shard fails loudly (MODEL_LOAD_FAILED) instead
// of loading as garbage weights that score nonsense.

export interface FileDigest {
  bytes: number;
  sha256: string;
}

/** Path (relative to the model folder) → expected size and digest. */
export type FileDigests = Record<string, FileDigest>;

const hex = (buf: ArrayBuffer) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

export async function sha256Hex(data: ArrayBuffer | Uint8Array): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', data as BufferSource));
}

export async function digestOf(data: ArrayBuffer | Uint8Array): Promise<FileDigest> {
  return { bytes: data.byteLength, sha256: await sha256Hex(data) };
}

/** A reader that refuses any listed file whose size or digest is not the listed one. */
export function verifiedReader(read: ReadModelFile, files: FileDigests | undefined): ReadModelFile {
  if (!files) return read;
  return async (path) => {
    const data = await read(path);
    const want = files[path];
    if (!want) return data;
    if (data.byteLength !== want.bytes) {
      const how = data.byteLength < want.bytes ? 'cut short' : 'too long';
      throw new CoachError('MODEL_LOAD_FAILED', `model file ${path} is ${data.byteLength} bytes, expected ${want.bytes} (${how})`);
    }
    const got = await sha256Hex(data);
    if (got !== want.sha256) throw new CoachError('MODEL_LOAD_FAILED', `model file ${path} has SHA-256 ${got}, expected ${want.sha256} (damaged or replaced)`);
    return data;
  };
}
