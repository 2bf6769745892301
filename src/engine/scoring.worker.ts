/// <reference lib="webworker" />
import { CoachError } from '../core/errors';
import { previewFix, renderFix } from '../core/fix/fix-browser';
import { type Decoded, decodeBlob } from '../core/image/decode-browser';
import { backendMemory, loadScorer, type Scorer } from '../core/model/scorer';
import type { ScoringApi } from './worker-api';
import { measurerWorker } from './measure-off-thread';
import { decoderWorker } from './decode-off-thread';
import { serve, type Endpoint } from './rpc';

// Decoding and scoring off the page's thread. tfjs's WebGL backend draws on an OffscreenCanvas
// here; where that fails, loadScorer falls through to wasm — still off the page. The model comes
// through Cache Storage (loadScorer's default reader), so a returning seller downloads only the
// model card.

let scorer: Promise<Scorer> | undefined;

/** The photo queued next, being decoded while the current one scores (one at most). */
let ahead: { id: number; decoding: Promise<Decoded> } | undefined;

/** Where the photo queued next is decoded: its own worker, started on the first look-ahead. */
const lookAhead = decoderWorker();

/**
 * This photo decoded — by the decode started while the previous one scored, when it is the one
 * that was queued next — and the next one's decode started, on the decode worker, so that it
 * runs while this photo's backbone holds this thread.
 */
function decoded(input: { blob: Blob; id?: number; next?: { id: number; blob: Blob } }): Promise<Decoded> {
  const mine = ahead && ahead.id === input.id ? ahead.decoding : decodeBlob(input.blob);
  // a decode nobody came for (its photo was removed): its bitmap is freed
  if (ahead && ahead.decoding !== mine)
    ahead.decoding.then(
      (d) => d.bitmap.close(),
      () => {},
    );
  ahead = undefined;
  if (input.next) {
    const decoding = lookAhead.call({ blob: input.next.blob });
    decoding.catch(() => {}); // its own score call reports a failure
    ahead = { id: input.next.id, decoding };
  }
  return mine;
}

function offscreenWebgl2(): boolean {
  try {
    return typeof OffscreenCanvas !== 'undefined' && !!new OffscreenCanvas(1, 1).getContext('webgl2');
  } catch {
    return false;
  }
}

serve<ScoringApi>(self as unknown as Endpoint, {
  probe: async () => ({ offscreenWebgl2: offscreenWebgl2() }),
  async init(config) {
    // the measurements on a worker of their own, beside this one's backbone
    scorer ??= loadScorer({ ...config, measurer: measurerWorker() });
    const s = await scorer;
    return { backend: s.backend, reason: s.backendReason, modelVersion: s.modelVersion };
  },
  memory: async () => backendMemory(),
  async fix({ blob, fixes, hand, aspect }) {
    if (!scorer) throw new CoachError('INTERNAL', 'fix before init', { userFacing: false });
    return previewFix(await scorer, blob, fixes, hand, aspect);
  },
  render: ({ blob, plan, maxBytes }) => renderFix(blob, plan, maxBytes),
  async score(input) {
    if (!scorer) throw new CoachError('INTERNAL', 'score before init', { userFacing: false });
    const s = await scorer;
    const { bitmap, width, height } = 'blob' in input ? await decoded(input) : input;
    try {
      return await s.score(bitmap, { width, height });
    } finally {
      bitmap.close();
    }
  },
});
