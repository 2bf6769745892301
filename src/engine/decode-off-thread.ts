import { type Decoded, decodeBlob } from '../core/image/decode-browser';
import { offThread, type HelperWorker, type OffThread } from './off-thread';

/**
 * Decoding on a thread of its own, for the photo queued next. The browser's decoders run off
 * the calling thread, but each step between them (reading the bytes, the decoder's answer, the
 * bitmap) waits for the caller's event loop, which the wasm backbone holds for its whole run:
 * started beside the backbone on the scoring worker, a decode barely moves until the backbone is
 * done. Here it runs meanwhile. Should the worker fail, the photo is decoded here (off-thread.ts).
 */
export function decodeOffThread(createWorker: () => HelperWorker): OffThread<{ blob: Blob }, Decoded> {
  return offThread<{ blob: Blob }, Decoded>(createWorker, 'decode', ({ blob }) => decodeBlob(blob));
}

/** The decode worker of the built app. */
export function decoderWorker(): OffThread<{ blob: Blob }, Decoded> {
  return decodeOffThread(() => new Worker(new URL('./decode.worker.ts', import.meta.url), { type: 'module', name: 'photo-coach-decode' }));
}
