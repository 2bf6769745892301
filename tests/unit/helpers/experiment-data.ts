import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEASURE_NAMES } from '../../../src/core/measures/measures';
import { BACKBONE_FEATURES } from '../../../src/core/model/features';
import type { FeatureRow } from '../../../tools/model/features-file';
import { hash32, rng } from '../../../tools/model/rng';

// The model tools run as commands, and the experiments of tools/model/experiments/ on the photo
// fixtures, without ../shared/data and without fetching the backbone package from the registry.

const root = join(import.meta.dirname, '../../..');
const FIXTURES = ['biq-ss01-2.jpg', 'biq-ss02-38.jpg', 'biq-ss03-17.jpg', 'coffee.png'];
const MOS = [0.31, 0.72, 0.55, 0.43];

export interface SmokeData {
  /** For PHOTO_COACH_DATA: biq2021/train.csv lists the fixtures, biq2021/images/ holds them. */
  data: string;
  /** For --cache. */
  cache: string;
  images: string[];
  dispose(): void;
}

/**
 * Four photos as a train split of their own, and a cache whose backbone package is the shipped
 * backbone: the package's weights (float16, as shipped) pruned to the shipped levels, and every
 * layer an experiment reads lies upstream of those. The names are picked so that 2-fold CV holds
 * out two photos in each fold, all of one subset: a rank correlation needs two.
 */
export function smokeData(): SmokeData {
  const dir = mkdtempSync(join(tmpdir(), 'experiment-'));
  const data = join(dir, 'data');
  const cache = join(dir, 'cache');
  mkdirSync(join(data, 'biq2021', 'images'), { recursive: true });
  const perFold = [2, 2];
  const images = FIXTURES.map((f) => {
    let i = 0;
    while (perFold[hash32(`${i}-${f}`) % 2] === 0) i++;
    perFold[hash32(`${i}-${f}`) % 2]--;
    copyFileSync(join(root, 'tests/fixtures/photos', f), join(data, 'biq2021', 'images', `${i}-${f}`));
    return `${i}-${f}`;
  });
  writeFileSync(join(data, 'biq2021', 'train.csv'), `${['image,mos,subset', ...images.map((img, i) => `${img},${MOS[i]},ss01`)].join('\n')}\n`);
  const models = join(cache, 'human-models', 'package', 'models');
  mkdirSync(models, { recursive: true });
  const shipped = join(root, 'public/model/backbone');
  copyFileSync(join(shipped, 'model.json'), join(models, 'centernet.json'));
  copyFileSync(join(shipped, readdirSync(shipped).find((f) => f.endsWith('.bin'))!), join(models, 'centernet.bin'));
  return { data, cache, images, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Cached feature rows (<cache>/features/) for the smoke photos, as the extractor writes them but
 * with made-up values: the experiments that read them need rows of the shipped width, not real ones.
 */
export function writeFeatureRows(s: SmokeData): FeatureRow[] {
  const r = rng(11);
  const rows: FeatureRow[] = s.images.map((image, i) => ({
    key: `train|${image}|clean`,
    split: 'train',
    image,
    subset: 'ss01',
    mos: MOS[i],
    aspect: null,
    strength: 0,
    seed: 0,
    f: Array.from({ length: BACKBONE_FEATURES + MEASURE_NAMES.length }, () => Number(r().toPrecision(6))),
  }));
  mkdirSync(join(s.cache, 'features'), { recursive: true });
  writeFileSync(join(s.cache, 'features', 'part-0-of-1.jsonl'), `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
  return rows;
}

/** Runs a tool as `npm run` would (tsx), from the repository root. */
export function runTool(script: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(root, script), ...args], { cwd: root, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
  });
}
