/// <reference lib="webworker" />
import { decodeBlob } from '../core/image/decode-browser';
import { loadScorer, type Scorer } from '../core/model/scorer';
import { toWire, type FromWorker, type ToWorker } from './protocol';

// Decoding and scoring off the page's thread. tfjs's WebGL backend draws on an OffscreenCanvas
// here; where a worker has no WebGL, loadScorer falls through to wasm — still off the page.

const scope = self as unknown as DedicatedWorkerGlobalScope;
let scorer: Promise<Scorer> | undefined;
const post = (m: FromWorker) => scope.postMessage(m);

scope.onmessage = async (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  if (msg.type === 'init') {
    scorer = loadScorer({ modelUrl: msg.modelUrl, backends: msg.backends });
    try {
      const s = await scorer;
      post({ type: 'ready', info: { backend: s.backend, reason: s.backendReason, modelVersion: s.modelVersion } });
    } catch (e) {
      post({ type: 'failed', error: toWire(e) });
    }
    return;
  }
  if (msg.type === 'score') {
    try {
      if (!scorer) throw new Error('score before init');
      const s = await scorer;
      const { bitmap, width, height } = await decodeBlob(msg.blob);
      try {
        post({ type: 'scored', id: msg.id, score: await s.score(bitmap, { width, height }) });
      } finally {
        bitmap.close();
      }
    } catch (e) {
      post({ type: 'error', id: msg.id, error: toWire(e) });
    }
  }
};
