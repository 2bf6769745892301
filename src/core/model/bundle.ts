import * as tf from '@tensorflow/tfjs';
import { ASPECTS, type AspectId } from '../aspects';
import { CoachError } from '../errors';
import { verifiedReader, type FileDigests } from './integrity';

/** Reads one file of the model folder, by path relative to it (e.g. "backbone/model.json"). */
export type ReadModelFile = (relativePath: string) => Promise<ArrayBuffer>;

/** What `public/model/model-card.json` holds that the runtime needs. */
/** The head's outputs after the aspects' that a card may name. */
export type HeadExtra = 'upside_down' | 'rating';

/** Where an extra output sits among a head's raw outputs (quality, one per aspect, then `extra` in order); -1 where it has none. */
export function extraIndex(extra: readonly HeadExtra[] | undefined, aspectCount: number, name: HeadExtra): number {
  const k = extra?.indexOf(name) ?? -1;
  return k < 0 ? -1 : 1 + aspectCount + k;
}

export interface ModelCard {
  version: string;
  aspects: AspectId[];
  /** Overall score (0–100) at or above which a photo is in a band. */
  bands: { great: number; ok: number };
  backbone: { path: string; input: [number, number]; outputs: string[] };
  /**
   * `range`: a JSON file of per-feature {min, max} seen in training; inputs are clipped to it.
   * `extra`: outputs after the aspects' (`upside_down`: how upside down the photo looks, 0–1;
   * `rating`: the overall 1–5 a careful reviewer would give it).
   */
  head: { path: string; features: number; range?: string; extra?: HeadExtra[] };
  /** Head quality output values mapped to 0 and 100 (linear, clamped). */
  calibration: { lo: number; hi: number };
  /**
   * Points off the score of a photo lying on its side: all of them from sideways severity `to`,
   * none below `from`, linear between (calibration.ts sidewaysPenalty; absent: none).
   */
  penalty?: { sideways: { points: number; from: number; to: number } };
  /**
   * The item locator for the crop fix: a detector's heads (`path`) on the backbone's layers
   * `inputs`, the backbone run on RGB squeezed to `input`²; `output` is [1, N, 6]: x1, y1, x2, y2
   * in input pixels, score, class. Loaded only when a crop is asked for (locator.ts).
   */
  locator?: { path: string; input: number; inputs: string[]; output: string; note?: string; licence?: string; bytes?: number };
  /** Size and SHA-256 of every other file of the model folder, checked on load. */
  files?: FileDigests;
  [extra: string]: unknown;
}

export interface ModelBundle {
  card: ModelCard;
  backbone: tf.GraphModel;
  head: tf.LayersModel;
  /** Per-feature bounds seen in training, [F] each (absent: no clipping). */
  range?: { min: tf.Tensor1D; max: tf.Tensor1D };
  /** Reads the model folder's other files (checked against the card), for what loads later. */
  read: ReadModelFile;
  /** The item locator, once a crop asked for it (src/core/model/locator.ts). */
  locator?: Promise<tf.GraphModel>;
}

/** Builds a tfjs IOHandler for `<dir>/model.json` plus its shards from any file reader. */
export function handlerFor(read: ReadModelFile, dir: string): tf.io.IOHandler {
  return {
    async load() {
      const json = JSON.parse(new TextDecoder().decode(await read(`${dir}/model.json`)));
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const group of json.weightsManifest as tf.io.WeightsManifestConfig) {
        specs.push(...group.weights);
        for (const p of group.paths) buffers.push(await read(`${dir}/${p}`));
      }
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs: specs,
        weightData: concatBuffers(buffers),
      };
    },
  };
}

function concatBuffers(parts: ArrayBuffer[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), o);
    o += p.byteLength;
  }
  return out.buffer;
}

/** Loads model-card.json, the backbone graph and the head from one model folder. */
export async function loadBundle(readAny: ReadModelFile): Promise<ModelBundle> {
  let card: ModelCard;
  try {
    card = JSON.parse(new TextDecoder().decode(await readAny('model-card.json'))) as ModelCard;
  } catch (e) {
    if (e instanceof SyntaxError) throw new CoachError('MODEL_LOAD_FAILED', `model-card.json is not JSON: ${e.message}`, { cause: e });
    throw e;
  }
  const read = verifiedReader(readAny, card.files);
  const unknown = card.aspects.filter((a) => !(ASPECTS as readonly string[]).includes(a));
  if (unknown.length) throw new CoachError('MODEL_LOAD_FAILED', `model card names unknown aspects: ${unknown.join(', ')}`);
  const backbone = await tf.loadGraphModel(handlerFor(read, card.backbone.path));
  let head: tf.LayersModel | undefined;
  try {
    head = await tf.loadLayersModel(handlerFor(read, card.head.path));
    let range: ModelBundle['range'];
    if (card.head.range) {
      const r = JSON.parse(new TextDecoder().decode(await read(`${card.head.path}/${card.head.range}`))) as { min: number[]; max: number[] };
      if (r.min.length !== card.head.features || r.max.length !== card.head.features) {
        throw new CoachError('MODEL_LOAD_FAILED', `feature range has ${r.min.length} values, the head takes ${card.head.features}`);
      }
      range = { min: tf.tensor1d(r.min), max: tf.tensor1d(r.max) };
    }
    return { card, backbone, head, range, read };
  } catch (e) {
    // a later file failed: free what already sits on the backend
    backbone.dispose();
    head?.dispose();
    throw e;
  }
}

export function disposeBundle(bundle: ModelBundle): void {
  bundle.backbone.dispose();
  bundle.head.dispose();
  bundle.range?.min.dispose();
  bundle.range?.max.dispose();
  bundle.locator?.then(
    (m) => m.dispose(),
    () => {},
  );
}
