import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../../src/core/engine-types';
import { webglRenderer } from '../../../src/core/model/renderer';
import { chooseBackend, type BackendChoice, type ChoiceStore } from './backend-choice';
import type { ReadModelFile } from '../../../src/core/model/bundle';
import { cachedModelReader } from '../../../src/core/model/model-cache';
import { disposeBundle, loadBundle } from '../../../src/core/model/bundle';
import { scorePixels } from '../../../src/core/model/predict';
import { measurerWorker } from '../../../src/engine/measure-off-thread';
import { loadScorer, type Scorer } from '../../../src/core/model/scorer';
import type { Pixels } from '../../../src/core/image/views';

// Glue between the backend choice (pure) and the real model: times the model on a backend, and
// loads a Scorer on the measured winner with the others as fallbacks.

/** A photo-sized synthetic frame (decoded RGBA, as the coach gets them): exercises the downscale, the backbone and the detail crop. */
function probeFrame(width = 1024, height = 768): Pixels {
  const data = new Uint8ClampedArray(width * height * 4);
  // a fixed pseudo-random texture (LCG), so every backend times the same work
  for (let i = 0, x = 7; i < data.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    data[i] = x >>> 24;
  }
  return { data, width, height, channels: 4 };
}

/** One untimed warm run (shader compile), then `runs` timed runs of the whole pipeline (ms). */
export async function timeOnModel(read: ReadModelFile, backend: BackendName, runs: number): Promise<number[]> {
  if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) throw new Error('did not initialise');
  const bundle = await loadBundle(read);
  const frame = probeFrame();
  try {
    await scorePixels(bundle, frame);
    const out: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await scorePixels(bundle, frame);
      out.push(performance.now() - t0);
    }
    return out;
  } finally {
    disposeBundle(bundle);
  }
}

export interface MeasuredScorerOptions {
  modelUrl: string;
  candidates?: BackendName[];
  store?: ChoiceStore | null;
  remeasure?: boolean;
  budgetMs?: number;
  readFile?: ReadModelFile;
}

/**
 * loadScorer on the backend that measured fastest here (remembered per device and model
 * version), falling back through the rest. Model files come through Cache Storage.
 */
export async function loadMeasuredScorer(options: MeasuredScorerOptions): Promise<{ scorer: Scorer; choice: BackendChoice }> {
  const read = options.readFile ?? cachedModelReader(options.modelUrl);
  const card = JSON.parse(new TextDecoder().decode(await read('model-card.json'))) as { version: string };
  const choice = await chooseBackend({
    modelVersion: card.version,
    renderer: webglRenderer(),
    candidates: options.candidates,
    store: options.store,
    remeasure: options.remeasure,
    budgetMs: options.budgetMs,
    time: (backend, runs) => timeOnModel(read, backend, runs),
  });
  const order: BackendName[] = [choice.backend, ...(['webgl', 'wasm', 'cpu'] as const).filter((b) => b !== choice.backend)];
  const scorer = await loadScorer({ modelUrl: options.modelUrl, readFile: read, backends: order, measurer: measurerWorker() });
  return { scorer, choice };
}
