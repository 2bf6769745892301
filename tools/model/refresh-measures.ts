import * as tf from '@tensorflow/tfjs';
import { appendFileSync, existsSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { BACKBONE_FEATURES } from '../../src/core/model/pipeline';
import { CAST_MEASURE_NAMES, castMeasures, MEASURE_NAMES } from '../../src/core/model/measures';
import { capLongSide, globalView, WORK_MAX_SIDE } from '../../src/core/model/views';
import { readSplit } from './dataset';
import { jobPixels, loadImage } from './extract';
import type { FeatureRow } from './features-file';
import { progress } from '../lib/cli';

// Adds the colour-cast measurements (`castMeasures`, CAST_MEASURE_NAMES) to cached feature
// rows written before they existed, instead of a full extraction. The values a row already has
// are kept: they came from the same decoded pixels as its backbone features (rows written before
// the switch to MozJPEG were decoded by jpeg-js, which differs by a few levels here and there).
// Any other new or changed measurement needs a full extraction. Each part file is rewritten to
// `<part>.refreshing` row by row, then renamed over the original: an interrupted run resumes.

/** Fills in the colour-cast measurements of every cached row that lacks them. */
export async function refreshMeasures(dir: string, limit = Infinity): Promise<void> {
  const donors = { train: [] as tf.Tensor3D[], val: [] as tf.Tensor3D[] };
  for (const split of ['train', 'val'] as const) {
    for (const r of readSplit(split).filter((_, i) => i % 97 === 5).slice(0, 10)) donors[split].push(await loadImage(r.image));
  }
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()) {
    const path = join(dir, file);
    const tmp = `${path}.refreshing`;
    const done = new Set(existsSync(tmp) ? readFileSync(tmp, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).key) : []);
    const rows = readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as FeatureRow);
    const full = BACKBONE_FEATURES + MEASURE_NAMES.length;
    const cast = full - CAST_MEASURE_NAMES.length;
    for (const r of rows) if (r.f.length !== cast && r.f.length !== full) throw new Error(`${r.key}: ${r.f.length} features; this fills in only the colour-cast measurements (${cast} → ${full})`);
    const todo = rows.filter((r) => !done.has(r.key) && r.f.length < full).slice(0, limit);
    if (!todo.length && !done.size) continue;
    const bar = progress(`measurements ${file}`, todo.length);
    for (const [i, row] of todo.entries()) {
      const px = await jobPixels(row, donors[row.split]);
      const m = tf.tidy(() => castMeasures(globalView(capLongSide(px, WORK_MAX_SIDE))));
      const values = Array.from(await m.data(), (v) => Number(v.toPrecision(6)));
      px.dispose();
      m.dispose();
      appendFileSync(tmp, JSON.stringify({ ...row, f: [...row.f, ...values] }) + '\n');
      bar.tick(i + 1);
    }
    bar.done();
    if (done.size + todo.length < rows.filter((r) => r.f.length < full).length) continue; // stopped at --limit
    for (const r of rows) if (r.f.length === full && !done.has(r.key)) appendFileSync(tmp, JSON.stringify(r) + '\n');
    renameSync(tmp, path);
  }
  Object.values(donors).flat().forEach((d) => d.dispose());
}
