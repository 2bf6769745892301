/// <reference lib="webworker" />
import { CoachError } from '../core/errors';
import { previewFix, renderFix } from '../core/fix/fix-browser';
import { decodeBlob } from '../core/image/decode-browser';
import { backendMemory, loadScorer, type Scorer } from '../core/model/scorer';
import type { ScoringApi } from './worker-api';
import { measurerWorker } from './measure-off-thread';
import { serve, type Endpoint } from './rpc';

// Decoding and scoring off the page's thread. tfjs's WebGL backend draws on an OffscreenCanvas
// here; where that fails, loadScorer falls through to wasm — still off the page. The model comes
// through Cache Storage (loadScorer's default reader), so a returning seller downloads only the
// model card.

let scorer: Promise<Scorer> | undefined;

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
  async fix({ blob, fixes, quarterTurns }) {
    if (!scorer) throw new CoachError('INTERNAL', 'fix before init', { userFacing: false });
    return previewFix(await scorer, blob, fixes, quarterTurns);
  },
  render: ({ blob, plan, maxBytes }) => renderFix(blob, plan, maxBytes),
  async score(input) {
    if (!scorer) throw new CoachError('INTERNAL', 'score before init', { userFacing: false });
    const s = await scorer;
    const { bitmap, width, height } = 'blob' in input ? await decodeBlob(input.blob) : input;
    try {
      return await s.score(bitmap, { width, height });
    } finally {
      bitmap.close();
    }
  },
});
