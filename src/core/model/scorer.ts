import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { Score } from '../aspects';
import type { BackendName } from '../engine-types';
import { CoachError, isCoachError } from '../errors';
import type { ModelBundle, ReadModelFile } from './bundle';
import { cachedModelReader } from './model-cache';
import { disposeBundle, loadBundle, scorePixels } from './pipeline';
import { GLOBAL_SIDE } from './views';

export interface ScorerOptions {
  /** URL of the model folder (holding model-card.json). */
  modelUrl: string;
  /** Tried in order; the first that initialises and runs the warm-up wins. */
  backends?: BackendName[];
  /** How model files are read (default: fetch under modelUrl through Cache Storage, per model version). */
  readFile?: ReadModelFile;
  /**
   * WebGL drawn by a CPU rasteriser (SwiftShader, llvmpipe) is 10–20× slower than wasm for this
   * model; by default it is skipped when a later backend is listed. 'use' keeps it (tests).
   */
  softwareWebgl?: 'skip' | 'use';
}

export interface Scorer {
  readonly backend: BackendName;
  /** Why this backend: what was tried and why the others failed. */
  readonly backendReason: string;
  readonly modelVersion: string;
  score(source: ImageBitmap | ImageData | tf.Tensor3D, size?: { width: number; height: number }): Promise<Score>;
  warmup(): Promise<void>;
  dispose(): void;
}

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

/** The WebGL renderer's name, when the current backend is webgl. */
export function webglRenderer(): string | undefined {
  const gl = (tf.backend() as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
  if (!gl) return undefined;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

export const isSoftwareRenderer = (renderer: string) => /swiftshader|llvmpipe|softpipe|software|basic render/i.test(renderer);

class BundleScorer implements Scorer {
  constructor(
    private bundle: ModelBundle | null,
    readonly backend: BackendName,
    readonly backendReason: string,
  ) {}

  get modelVersion() {
    return this.live().card.version;
  }

  private live(): ModelBundle {
    if (!this.bundle) throw new CoachError('INTERNAL', 'the scorer was disposed', { userFacing: false });
    return this.bundle;
  }

  async score(source: ImageBitmap | ImageData | tf.Tensor3D, size?: { width: number; height: number }): Promise<Score> {
    const bundle = this.live();
    const owned = !(source instanceof tf.Tensor);
    const rgb = owned ? tf.browser.fromPixels(source as ImageBitmap | ImageData) : (source as tf.Tensor3D);
    try {
      return await scorePixels(bundle, rgb, size);
    } finally {
      if (owned) rgb.dispose();
    }
  }

  /** One pass on a grey frame: compiles the WebGL shaders for the fixed input shapes. */
  async warmup(): Promise<void> {
    const grey = tf.fill([GLOBAL_SIDE, GLOBAL_SIDE, 3], 128, 'int32') as tf.Tensor3D;
    try {
      await scorePixels(this.live(), grey);
    } finally {
      grey.dispose();
    }
  }

  dispose(): void {
    if (this.bundle) disposeBundle(this.bundle);
    this.bundle = null;
  }
}

/**
 * Loads the model on the first backend (in order) that initialises and survives a warm-up
 * pass, and says why in `backendReason`. A model that cannot be fetched fails at once
 * (MODEL_LOAD_FAILED); a backend that fails is skipped.
 */
export async function loadScorer(options: ScorerOptions): Promise<Scorer> {
  const backends = options.backends ?? ['webgl', 'wasm', 'cpu'];
  const read = options.readFile ?? cachedModelReader(options.modelUrl);
  const skipped: string[] = [];
  for (const [i, name] of backends.entries()) {
    let ok = false;
    try {
      ok = await tf.setBackend(name);
    } catch (e) {
      skipped.push(`${name}: ${(e as Error).message}`);
      continue;
    }
    // setBackend answers false (and tfjs stays where it was) when a backend cannot start
    if (!ok || tf.getBackend() !== name) {
      skipped.push(`${name}: did not initialise`);
      continue;
    }
    const renderer = name === 'webgl' ? webglRenderer() : undefined;
    if (renderer && isSoftwareRenderer(renderer) && options.softwareWebgl !== 'use' && i < backends.length - 1) {
      skipped.push(`${name}: software rendering (${renderer}) is slower than ${backends[i + 1]}`);
      continue;
    }
    let bundle: ModelBundle | undefined;
    try {
      bundle = await loadBundle(read);
      const on = renderer ? ` on ${renderer}` : '';
      const reason = skipped.length ? `${name}${on} (skipped ${skipped.join('; ')})` : `${name}${on}: first choice, warmed up`;
      const scorer = new BundleScorer(bundle, name, reason);
      await scorer.warmup();
      return scorer;
    } catch (e) {
      if (bundle) disposeBundle(bundle);
      if (isCoachError(e) && e.code === 'MODEL_LOAD_FAILED') throw e;
      skipped.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new CoachError('BACKEND_FAILED', `no backend could run the model (${skipped.join('; ')})`);
}
