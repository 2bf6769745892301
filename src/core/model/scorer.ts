import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { Score } from '../aspects';
import type { BackendName, EngineMemory } from '../engine-types';
import { CoachError } from '../errors';
import type { ModelBundle, ReadModelFile } from './bundle';
import { cachedModelReader } from './model-cache';
import { isSoftwareRenderer, webglRenderer } from './renderer';
import { bitmapPixels } from '../image/pixels-browser';
import { measureHere, type Measurer } from '../measures/measurer';
import { onLoadFault, onPhotoFault } from '../recovery';
import { disposeBundle, loadBundle } from './bundle';
import { scorePixels } from './predict';
import { locateItems, type Detection } from './locator';
import { GLOBAL_SIDE } from '../image/views';

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
  /** Where the measurements run (default: on this thread; the engine passes its measure worker). */
  measurer?: Measurer;
}

export interface Scorer {
  readonly backend: BackendName;
  /** Why this backend: what was tried and why the others failed. */
  readonly backendReason: string;
  readonly modelVersion: string;
  score(source: ImageBitmap | ImageData | tf.Tensor3D, size?: { width: number; height: number }): Promise<Score>;
  /** Where items are in the photo (the crop fix); loads the model's item locator the first time. */
  locate(source: ImageData | tf.Tensor3D): Promise<Detection[]>;
  warmup(): Promise<void>;
  dispose(): void;
}

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

/** tfjs's memory on this thread (tensors, and textures on webgl) and the JS heap where known. */
export function backendMemory(): EngineMemory {
  (globalThis as { gc?: () => void }).gc?.(); // only with --js-flags=--expose-gc (benchmarks)
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  const textures = (tf.backend() as unknown as { textureManager?: { getNumUsedTextures(): number; getNumFreeTextures(): number } }).textureManager;
  const heap = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize;
  return {
    backend: tf.getBackend(),
    numTensors: m.numTensors,
    numBytes: m.numBytes,
    ...(m.numBytesInGPU !== undefined && { numBytesInGPU: m.numBytesInGPU }),
    ...(textures && { texturesUsed: textures.getNumUsedTextures(), texturesFree: textures.getNumFreeTextures() }),
    ...(heap !== undefined && { jsHeapBytes: heap }),
  };
}

/** The WebGL context tfjs draws on, when the current backend is webgl. */
function webglContext(): WebGLRenderingContext | undefined {
  return (tf.backend() as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
}

/** A scorer on a fresh backend, for when the one in use dies (a lost WebGL context). */
type Recover = (lost: BackendName) => Promise<{ bundle: ModelBundle; backend: BackendName; reason: string }>;

const contextLost = () => new CoachError('CONTEXT_LOST', 'the WebGL context was lost', { userFacing: false });

class BundleScorer implements Scorer {
  private lost?: Promise<never>;
  private contextGone = false;

  constructor(
    private bundle: ModelBundle | null,
    public backend: BackendName,
    public backendReason: string,
    private readonly recover?: Recover,
    private readonly measurer: Measurer = measureHere,
  ) {
    this.watchContext();
  }

  get modelVersion() {
    return this.live().card.version;
  }

  private live(): ModelBundle {
    if (!this.bundle) throw new CoachError('INTERNAL', 'the scorer was disposed', { userFacing: false });
    return this.bundle;
  }

  /**
   * A GPU reset, a driver update or too many tabs can take the WebGL context away mid-photo.
   * tfjs then never finishes reading back (its fences never signal), so the loss event is
   * raced against every score.
   */
  private watchContext() {
    this.lost = undefined;
    this.contextGone = false;
    const gl = this.backend === 'webgl' ? webglContext() : undefined;
    if (!gl) return;
    this.lost = new Promise<never>((_, reject) => {
      const gone = () => {
        this.contextGone = true;
        reject(contextLost());
      };
      if (gl.isContextLost()) gone();
      // the context's canvas (a page's or an OffscreenCanvas): both are event targets
      else (gl as unknown as { canvas: EventTarget }).canvas.addEventListener('webglcontextlost', gone, { once: true });
    });
    this.lost.catch(() => {});
  }

  async score(source: ImageBitmap | ImageData | tf.Tensor3D, size?: { width: number; height: number }): Promise<Score> {
    try {
      return await this.scoreOnce(source, size);
    } catch (e) {
      // the context's own loss event says so even when tfjs failed some other way first
      const fault = this.contextGone ? contextLost() : e;
      if (onPhotoFault(fault, 0) !== 'next-backend' || !this.recover || source instanceof tf.Tensor) throw fault;
      // the photo is still here (a bitmap or pixels): score it again on whatever takes over
      const dead = this.backend;
      if (this.bundle) {
        try {
          disposeBundle(this.bundle);
        } catch {
          // textures of a lost context cannot all be freed; the backend goes with them
        }
      }
      this.bundle = null;
      const next = await this.recover(dead);
      this.bundle = next.bundle;
      this.backend = next.backend;
      this.backendReason = `${next.reason} (the WebGL context was lost; was: ${this.backendReason})`;
      this.watchContext();
      return this.scoreOnce(source, size);
    }
  }

  private async scoreOnce(source: ImageBitmap | ImageData | tf.Tensor3D, size?: { width: number; height: number }): Promise<Score> {
    const bundle = this.live();
    const pixels = source instanceof tf.Tensor ? source : bitmapPixels(source);
    const scoring = scorePixels(bundle, pixels, size, this.measurer);
    return await (this.lost ? Promise.race([scoring, this.lost]) : scoring);
  }

  async locate(source: ImageData | tf.Tensor3D): Promise<Detection[]> {
    const locating = locateItems(this.live(), source instanceof tf.Tensor ? source : bitmapPixels(source));
    return await (this.lost ? Promise.race([locating, this.lost]) : locating);
  }

  /** One pass on a grey frame: compiles the WebGL shaders for the fixed input shapes. */
  async warmup(): Promise<void> {
    const grey = new Uint8Array(GLOBAL_SIDE * GLOBAL_SIDE * 3).fill(128);
    await scorePixels(this.live(), { data: grey, width: GLOBAL_SIDE, height: GLOBAL_SIDE, channels: 3 });
  }

  dispose(): void {
    if (this.bundle) disposeBundle(this.bundle);
    this.bundle = null;
    this.measurer.dispose();
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
  const first = await startOn(backends, read, options);
  // after a lost WebGL context, the backends after it in the list take over
  const recover: Recover = (dead) =>
    startOn(
      backends.filter((b) => b !== dead),
      read,
      options,
    );
  return new BundleScorer(first.bundle, first.backend, first.reason, recover, options.measurer);
}

/** The model loaded and warmed up on the first of `backends` that can run it. */
async function startOn(backends: BackendName[], read: ReadModelFile, options: ScorerOptions): Promise<{ bundle: ModelBundle; backend: BackendName; reason: string }> {
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
    const gl = name === 'webgl' ? webglContext() : undefined;
    const renderer = gl ? webglRenderer(gl) : undefined;
    if (renderer && isSoftwareRenderer(renderer) && options.softwareWebgl !== 'use' && i < backends.length - 1) {
      skipped.push(`${name}: software rendering (${renderer}) is slower than ${backends[i + 1]}`);
      continue;
    }
    let bundle: ModelBundle | undefined;
    try {
      bundle = await loadBundle(read);
      const on = renderer ? ` on ${renderer}` : '';
      const reason = skipped.length ? `${name}${on} (skipped ${skipped.join('; ')})` : `${name}${on}: first choice, warmed up`;
      await new BundleScorer(bundle, name, reason).warmup();
      return { bundle, backend: name, reason };
    } catch (e) {
      if (bundle) disposeBundle(bundle);
      if (onLoadFault(e) === 'fail-engine') throw e;
      skipped.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new CoachError('BACKEND_FAILED', `no backend could run the model (${skipped.join('; ')})`);
}
