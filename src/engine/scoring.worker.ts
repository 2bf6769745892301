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

/** The photos queued next, being decoded while the current one scores, by the engine's id. */
const ahead = new Map<number, Promise<Decoded>>();

/** Where the photos queued next are decoded: its own worker, started on the first look-ahead. */
const lookAhead = decoderWorker();

/**
 * This photo decoded — by the decode started while an earlier one scored, when it was queued
 * then — and the decodes of the photos queued after it started, in order, on the decode worker,
 * so that they run while this photo's backbone holds this thread.
 */
function decoded(input: { blob: Blob; id?: number; upcoming?: { id: number; blob: Blob }[] }): Promise<Decoded> {
  const early = input.id === undefined ? undefined : ahead.get(input.id);
  if (input.id !== undefined) ahead.delete(input.id);
  const mine = early ?? decodeBlob(input.blob);
  const upcoming = input.upcoming ?? [];
  // a decode nobody will come for (its photo was removed): its bitmap is freed
  for (const [id, decoding] of ahead) {
    if (upcoming.some((u) => u.id === id)) continue;
    ahead.delete(id);
    decoding.then(
      (d) => d.bitmap.close(),
      () => {},
    );
  }
  for (const { id, blob } of upcoming) {
    if (ahead.has(id)) continue;
    const decoding = lookAhead.call({ blob });
    decoding.catch(() => {}); // its own score call reports a failure
    ahead.set(id, decoding);
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
