import type * as tf from '@tensorflow/tfjs';
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { BACKBONE_FEATURES, measurements } from '../../src/core/model/features';
import { MEASURE_NAMES } from '../../src/core/measures/measures';
import { readSplit } from './dataset';
import { jobPixels, loadImage } from './extract';
import { type FeatureRow, writtenKeys } from './features-file';
import { parseArgs, progress } from '../lib/cli';
import { useNodeBackend } from './node-backend';

// Recomputes the measurements (the tail of every cached feature row) and keeps the backbone's
// values: a changed measurement costs minutes instead of an hour of backbone inference. The rows
// must have been extracted with the backbone's current input size. Each part file is rewritten
// to `<part>.refreshing` row by row, then renamed over the original: an interrupted run resumes.
// One process per part file.

/** Refreshes the measurements of every row of one part file. */
async function refreshFile(path: string): Promise<void> {
  await useNodeBackend('wasm');
  const donors = { train: [] as tf.Tensor3D[], val: [] as tf.Tensor3D[] };
  for (const split of ['train', 'val'] as const) {
    for (const r of readSplit(split)
      .filter((_, i) => i % 97 === 5)
      .slice(0, 10))
      donors[split].push(await loadImage(r.image));
  }
  const tmp = `${path}.refreshing`;
  const done = writtenKeys(tmp);
  const rows = readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as FeatureRow);
  const todo = rows.filter((r) => !done.has(r.key));
  const bar = progress(`measurements ${path.split('/').pop()}`, todo.length);
  for (const [i, row] of todo.entries()) {
    const px = await jobPixels(row, donors[row.split]);
    const m = await measurements(px);
    px.dispose();
    const f = [...row.f.slice(0, BACKBONE_FEATURES), ...Array.from(m, (v) => Number(v.toPrecision(6)))];
    appendFileSync(tmp, `${JSON.stringify({ ...row, f })}\n`);
    bar.tick(i + 1);
  }
  bar.done();
  renameSync(tmp, path);
  Object.values(donors)
    .flat()
    .forEach((d) => d.dispose());
}

/** Refreshes every part file of `dir`, one process each. */
export function refreshMeasures(dir: string): Promise<void> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();
  return Promise.all(
    files.map(
      (file) =>
        new Promise<void>((ok, fail) => {
          const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, join(dir, file)], { stdio: ['ignore', 'inherit', 'inherit'] });
          child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`refreshing ${file} exited with ${code}`))));
        }),
    ),
  ).then(() => undefined);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { positional } = parseArgs(process.argv.slice(2), []);
  if (positional.length !== 1) throw new Error(`usage: tsx tools/model/refresh-measures.ts <part file> (${MEASURE_NAMES.length} measurements)`);
  await refreshFile(positional[0]);
}
