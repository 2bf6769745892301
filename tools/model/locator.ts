import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ModelCard } from '../../src/core/model/bundle';
import { parseArgs } from '../lib/cli';
import { BACKBONE_LICENCE, BACKBONE_PACKAGE, dependencies, ensureBackboneFiles, inputNode, withInputSide, type GraphNode } from './backbone-source';
import { updateCardFiles } from './card-files';
import { writeJson, writeModelDir } from './io';
import type { Encoding, NamedWeight } from './weights';

// The item locator for the crop-to-the-item fix: the heads of the CenterNet detector whose
// MobileNetV3 is the quality model's backbone. The backbone is shipped once: the coach runs it at
// the detector's input size for the layers the heads read, then the heads. Loaded only when a
// seller asks for a crop.

const HELP = `npm run locator -- [--model DIR] [--cache DIR] [--encoding float16|uint8]
Writes the item locator (the heads of the CenterNet detector of ${BACKBONE_PACKAGE}) into
<model>/locator/ (default public/model), opens the backbone's input size (the locator runs it at
${'512'}²), names the locator in the model card and rewrites the card's file list.
npm run train does this itself.`;

export const LOCATOR_OUTPUT = 'tower_0/detections';
export const LOCATOR_SIDE = 512;
/** How the heads' weights are stored: per-tensor uint8 crops the same 31 of 32 train photos as float16, at half the bytes (tools/model/README.md "Fixes"). */
export const LOCATOR_ENCODING: Encoding = 'uint8';

/**
 * The detector's heads as a graph of their own: the nodes the detections need that the shipped
 * backbone does not compute, reading the backbone's layers through placeholders of the same
 * names.
 */
export function detectorHeads(detector: { node: GraphNode[] }, backboneNodes: readonly string[]): { nodes: GraphNode[]; inputs: string[] } {
  const byName = new Map(detector.node.map((n) => [n.name, n]));
  const needed = dependencies(detector.node, [LOCATOR_OUTPUT], 'detector graph');
  const shipped = new Set(backboneNodes);
  const own = [...needed].filter((n) => !shipped.has(n));
  const read = new Set(own.flatMap((n) => (byName.get(n)!.input ?? []).map(inputNode)).filter((i) => shipped.has(i)));
  // what the heads read of the backbone: its layers become placeholders, its constants are copied
  const inputs = [...read].filter((i) => byName.get(i)!.op !== 'Const').sort();
  const heads = [...own, ...[...read].filter((i) => byName.get(i)!.op === 'Const')];
  if (!inputs.length) throw new Error('the detector heads read no layer of the shipped backbone');
  const placeholder = (name: string): GraphNode => ({
    name,
    op: 'Placeholder',
    attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '-1' }, { size: '-1' }, { size: '-1' }] } } },
  });
  const keep = new Set(heads);
  return { nodes: [...inputs.map(placeholder), ...detector.node.filter((n) => keep.has(n.name))], inputs };
}

/**
 * Writes the heads into `<modelDir>/locator/` (float16, as published; the shard named by content),
 * opens the shipped backbone's input size, and returns the card's entry for the locator.
 */
export function writeLocator(modelDir: string, cacheDir: string, encoding: Encoding = LOCATOR_ENCODING): NonNullable<ModelCard['locator']> {
  const files = ensureBackboneFiles(cacheDir);
  const detector = JSON.parse(readFileSync(files.json, 'utf8'));
  const backbonePath = join(modelDir, 'backbone/model.json');
  const backbone = JSON.parse(readFileSync(backbonePath, 'utf8'));
  const { nodes, inputs } = detectorHeads(
    detector.modelTopology,
    backbone.modelTopology.node.map((n: GraphNode) => n.name),
  );
  const bin = readFileSync(files.bin);
  const specs: tf.io.WeightsManifestEntry[] = detector.weightsManifest.flatMap((g: { weights: tf.io.WeightsManifestEntry[] }) => g.weights);
  const all = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), specs);
  const kept = new Set(nodes.map((n) => n.name));
  const weights: NamedWeight[] = specs.filter((s) => kept.has(s.name)).map((s) => ({ name: s.name, tensor: all[s.name] }));
  const bytes = writeModelDir(
    join(modelDir, 'locator'),
    { format: detector.format, generatedBy: detector.generatedBy, convertedBy: detector.convertedBy, modelTopology: { ...detector.modelTopology, node: nodes } },
    weights,
    () => encoding,
  );
  for (const t of Object.values(all)) t.dispose();
  // the backbone runs at 320² to score and at 512² to locate: its placeholder says neither
  backbone.modelTopology.node = withInputSide(backbone.modelTopology.node, -1);
  writeFileSync(backbonePath, JSON.stringify(backbone));
  return {
    path: 'locator',
    input: LOCATOR_SIDE,
    inputs,
    output: LOCATOR_OUTPUT,
    note: `the heads of a COCO object detector (80 classes) on the backbone's layers, run on raw 0–255 RGB squeezed to ${LOCATOR_SIDE}²; its boxes, class-agnostic, say where an item is for the crop fix (src/core/fix/crop.ts); loaded only when a crop is asked for`,
    licence: `${BACKBONE_PACKAGE}: ${BACKBONE_LICENCE}`,
    bytes,
  };
}

async function main() {
  const { flags } = parseArgs(process.argv.slice(2), ['help']);
  if (flags.help) return console.log(HELP);
  const dir = resolve(String(flags.model ?? 'public/model'));
  const cardPath = join(dir, 'model-card.json');
  const card = JSON.parse(readFileSync(cardPath, 'utf8'));
  const encoding = String(flags.encoding ?? LOCATOR_ENCODING);
  if (encoding !== 'float16' && encoding !== 'uint8') throw new Error(`--encoding must be float16 or uint8, not ${encoding}`);
  card.locator = writeLocator(dir, resolve(String(flags.cache ?? '.cache')), encoding);
  writeJson(cardPath, card);
  await updateCardFiles(dir);
  console.log(`wrote ${dir}/locator: ${card.locator.bytes} B, reading ${card.locator.inputs.join(', ')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
