import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ModelCard } from '../../src/core/model/bundle';
import { parseArgs } from '../lib/cli';
import { BACKBONE_LICENCE, BACKBONE_PACKAGE, ensureBackboneFiles } from './backbone-source';
import { updateCardFiles } from './card-files';
import { writeJson } from './io';

// The item locator for the crop-to-the-item fix: the whole CenterNet detector whose MobileNetV3
// is the quality model's backbone, as published (weights already float16). The coach loads it
// only when a seller asks for a crop, so the quality model's download is unchanged.

const HELP = `npm run locator -- [--model DIR] [--cache DIR]
Writes the item locator (the CenterNet detector of ${BACKBONE_PACKAGE}) into <model>/locator/
(default public/model), names it in the model card and rewrites the card's file list.
npm run train does this itself.`;

export const LOCATOR_OUTPUT = 'tower_0/detections';
export const LOCATOR_SIDE = 512;

/** Copies the detector into `<modelDir>/locator/` (its shard named by content) and returns the card's entry for it. */
export function writeLocator(modelDir: string, cacheDir: string): NonNullable<ModelCard['locator']> {
  const files = ensureBackboneFiles(cacheDir);
  const json = JSON.parse(readFileSync(files.json, 'utf8'));
  const bin = readFileSync(files.bin);
  const dir = join(modelDir, 'locator');
  mkdirSync(dir, { recursive: true });
  for (const old of readdirSync(dir)) rmSync(join(dir, old));
  const shard = `weights.${createHash('sha256').update(bin).digest('hex').slice(0, 8)}.bin`;
  writeFileSync(join(dir, shard), bin);
  json.weightsManifest = json.weightsManifest.map((g: { paths: string[] }) => ({ ...g, paths: [shard] }));
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  return {
    path: 'locator',
    input: LOCATOR_SIDE,
    output: LOCATOR_OUTPUT,
    note: `COCO object detector (80 classes) run on raw 0–255 RGB squeezed to ${LOCATOR_SIDE}²; its boxes, class-agnostic, say where an item is for the crop fix (src/core/fix/crop.ts); loaded only when a crop is asked for`,
    licence: `${BACKBONE_PACKAGE}: ${BACKBONE_LICENCE}`,
    bytes: bin.length,
  };
}

async function main() {
  const { flags } = parseArgs(process.argv.slice(2), ['help']);
  if (flags.help) return console.log(HELP);
  const dir = resolve(String(flags.model ?? 'public/model'));
  const cardPath = join(dir, 'model-card.json');
  const card = JSON.parse(readFileSync(cardPath, 'utf8'));
  card.locator = writeLocator(dir, resolve(String(flags.cache ?? '.cache')));
  writeJson(cardPath, card);
  await updateCardFiles(dir);
  console.log(`wrote ${dir}/locator: ${card.locator.bytes} B`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
