import type { Score } from '../core/aspects';
import type { BackendName, EngineInfo } from '../core/engine-types';
import { CoachError, ErrorCodes, type ErrorCode } from '../core/errors';

// The one RPC between the page and the scoring worker. Photos cross as Blobs (structured
// clone shares the bytes, no copy); errors cross as {code, message} and become CoachErrors.

export type ToWorker =
  | { type: 'init'; modelUrl: string; backends: BackendName[] }
  | { type: 'score'; id: number; blob: Blob };

export type FromWorker =
  | { type: 'ready'; info: Omit<EngineInfo, 'thread'> }
  | { type: 'failed'; error: WireError }
  | { type: 'scored'; id: number; score: Score }
  | { type: 'error'; id: number; error: WireError };

export interface WireError {
  code: ErrorCode;
  message: string;
  userFacing: boolean;
}

export function toWire(e: unknown): WireError {
  if (e instanceof CoachError) return { code: e.code, message: e.message, userFacing: e.userFacing };
  return { code: ErrorCodes.INTERNAL, message: String((e as Error)?.message ?? e), userFacing: false };
}

export function fromWire(w: WireError): CoachError {
  const code = (Object.values(ErrorCodes) as string[]).includes(w.code) ? w.code : ErrorCodes.INTERNAL;
  return new CoachError(code, w.message, { userFacing: w.userFacing });
}
