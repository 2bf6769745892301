import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../engine-types';
import { chooseBackend, webglRenderer, type BackendChoice, type ChoiceStore } from './backend-choice';
import type { ReadModelFile } from './bundle';
import { cachedModelReader } from './model-cache';
import { disposeBundle, loadBundle, scorePixels } from './pipeline';
import { loadScorer, type Scorer } from './scorer';

// Glue between the backend choice (pure) and the real model: times the model on a backend, and
// loads a Scorer on the measured winner with the others as fallbacks.

/** A photo-sized synthetic frame: exercises the downscale, the backbone and the detail crop. */
const PROBE_SHAPE: [number, number, number] = [1024, 1536, 3];

/** One untimed warm run (shader compile), then `runs` timed runs of the whole pipeline (ms). */
export async function timeOnModel(read: ReadModelFile, backend: BackendName, runs: number): Promise<number[]> {
  if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) throw new Error('did not initialise');
  const bundle = await loadBundle(read);
  const frame = tf.tidy(() => tf.randomUniform(PROBE_SHAPE, 0, 255, 'int32', 7) as tf.Tensor3D);
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
    frame.dispose();
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
  const scorer = await loadScorer({ modelUrl: options.modelUrl, readFile: read, backends: order });
  return { scorer, choice };
}
