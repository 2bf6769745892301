import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { encodeWeights, type Encoding, type NamedWeight } from './weights';
import type { ReadModelFile } from '../../src/core/model/bundle';

/** Reads a model folder from disk, for loadBundle. */
export function fileReader(dir: string): ReadModelFile {
  return async (p) => {
    const b = readFileSync(join(dir, p));
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  };
}

/**
 * Writes `<dir>/model.json` + one shard named by its content (`weights.<sha-256, 8 hex>.bin`),
 * so the shard can be served as immutable: a new model is a new URL. Returns the shard's size.
 */
export function writeModelDir(dir: string, json: Record<string, unknown>, weights: NamedWeight[], pick: (name: string) => Encoding): number {
  const { specs, data } = encodeWeights(weights, pick);
  mkdirSync(dir, { recursive: true });
  for (const old of readdirSync(dir).filter((f) => /^weights(\.[0-9a-f]{8})?\.bin$/.test(f))) rmSync(join(dir, old));
  const shard = `weights.${createHash('sha256').update(data).digest('hex').slice(0, 8)}.bin`;
  writeFileSync(join(dir, shard), data);
  writeFileSync(join(dir, 'model.json'), JSON.stringify({ ...json, weightsManifest: [{ paths: [shard], weights: specs }] }));
  return data.length;
}

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** A layers model's topology and weights, for writeModelDir. */
export function layersArtifacts(model: tf.LayersModel): { json: Record<string, unknown>; weights: NamedWeight[] } {
  const weights = model.weights.map((w) => ({ name: w.originalName, tensor: w.read() }));
  return {
    json: { format: 'layers-model', generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`, convertedBy: null, modelTopology: model.toJSON(null, false) },
    weights,
  };
}
