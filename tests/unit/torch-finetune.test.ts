import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKBONE_OUTPUTS } from '../../src/core/model/features';
import { GLOBAL_SIDE } from '../../src/core/image/views';
import { loadPrunedBackbone } from '../../tools/model/backbone-source';
import { TORCH_PYTHON, torchMissing } from '../../tools/torch/python';
import { runTool, smokeData, type SmokeData } from './helpers/experiment-data';

// `npm run train -- --finetune` on four photos: the whole loop (inputs, held-out split, epochs,
// checkpoints, resume, the graph model written back) in seconds. The full run is a tool.

const TRAIN = 'tools/model/train.ts';
const missing = torchMissing();
if (missing) console.warn(`skipping the fine-tune smoke test: ${missing}`);

describe('npm run train -- --finetune', () => {
  it('says what to install when torch is missing', async () => {
    const { code, stderr } = await runTool(TRAIN, ['--finetune'], { PHOTO_COACH_PYTHON: '/nonexistent/python3' });
    expect(code).toBe(2);
    expect(stderr).toContain('apt-get update && apt-get install -y python3-torch');
  });

  describe.skipIf(missing !== null)('on four photos', () => {
    let s: SmokeData;
    beforeAll(() => {
      s = smokeData();
      copyFileSync(join(s.data, 'biq2021', 'train.csv'), join(s.data, 'biq2021', 'val.csv'));
    });
    afterAll(() => s.dispose());

    it('trains, stops, resumes where it stopped and writes the backbone back as a graph model', async () => {
      // --l2sp: the pull toward the published weights takes part, and survives the resume
      const args = ['--finetune', '--cache', s.cache, '--run', 'smoke', '--epochs', '2', '--batch', '2', '--save-every', '100', '--l2sp', '0.5'];
      const first = await runTool(TRAIN, [...args, '--stop-after', '1'], { PHOTO_COACH_DATA: s.data });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/4 train photos: 2 fit, 2 held out/);
      expect(first.stdout).toMatch(/stopped after 1 steps at epoch 1, step 1: rerun to resume/);

      const second = await runTool(TRAIN, args, { PHOTO_COACH_DATA: s.data });
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/resumed at epoch 1, step 1 of 1/);
      expect(second.stderr).toMatch(/train: views kept \(4 photos\), labels rewritten/); // the inputs were decoded once
      const run = join(s.cache, 'torch', 'runs', 'smoke');
      const log = readFileSync(join(run, 'log.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(log.map((l) => l.epoch)).toEqual([0, 1, 2]);
      for (const l of log) expect(l.ridge['1200'].held.pooled).toBeGreaterThanOrEqual(-1);
      expect(existsSync(join(run, 'best', 'model.json'))).toBe(true);

      // the graph the TS tools read, with the same weights by name and shape, and changed values
      const shipped = loadPrunedBackbone(s.cache, BACKBONE_OUTPUTS, GLOBAL_SIDE);
      const tuned = loadPrunedBackbone(s.cache, BACKBONE_OUTPUTS, GLOBAL_SIDE, join(run, 'epoch-2'));
      expect(tuned.weights.map((w) => [w.name, w.tensor.shape])).toEqual(shipped.weights.map((w) => [w.name, w.tensor.shape]));
      const moved = tuned.weights.filter((w, i) => {
        const a = w.tensor.dataSync();
        const b = shipped.weights[i].tensor.dataSync();
        return a.some((v, j) => v !== b[j]);
      });
      expect(moved.length).toBeGreaterThan(tuned.weights.length / 2);
      // float16-exact, so the features extracted from it are those of the shipped float16 model
      const half = new Float32Array(1);
      const { tensor } = tuned.weights.find((w) => w.name.endsWith('Conv2D_weights'))!;
      for (const v of tensor.dataSync().slice(0, 50)) {
        half[0] = v;
        // a float16 keeps 10 of float32's 23 mantissa bits (below 2^-14 it keeps fewer)
        expect(Math.abs(v) < 2 ** -14 || (new Uint32Array(half.buffer)[0] & 0x1fff) === 0, String(v)).toBe(true);
      }
      [...shipped.weights, ...tuned.weights].forEach((w) => w.tensor.dispose());
    }, 180_000);

    it('--biases-only moves only biases, and wise.py mixes the run halfway with the published weights', async () => {
      const args = ['--finetune', '--cache', s.cache, '--run', 'bias', '--epochs', '1', '--batch', '2', '--biases-only', '--lr', '1e-2'];
      const r = await runTool(TRAIN, args, { PHOTO_COACH_DATA: s.data });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/training blocks 0 on: [\d,]+ of 1,751,064 backbone weights/);
      const run = join(s.cache, 'torch', 'runs', 'bias');
      const wise = spawnSync(TORCH_PYTHON, ['tools/torch/wise.py', '--cache', s.cache, '--run', 'bias', '--alphas', '0.5'], { encoding: 'utf8' });
      expect(wise.status, wise.stderr).toBe(0);
      expect(wise.stdout).toMatch(/α 0\.5: held-out pooled/);
      const load = (dir?: string) => loadPrunedBackbone(s.cache, BACKBONE_OUTPUTS, GLOBAL_SIDE, dir);
      const [w0, w1, half] = [load(), load(join(run, 'epoch-1')), load(join(run, 'wise-0.5'))];
      let biasesMoved = 0;
      w1.weights.forEach((w, i) => {
        const a = w.tensor.dataSync();
        const b = w0.weights[i].tensor.dataSync();
        const m = half.weights[i].tensor.dataSync();
        const moved = a.some((v, j) => v !== b[j]);
        if (w.tensor.rank > 1) expect(moved, w.name).toBe(false);
        else if (moved) biasesMoved++;
        // halfway, to float16's rounding
        for (let j = 0; j < Math.min(a.length, 20); j++) expect(Math.abs(m[j] - (a[j] + b[j]) / 2)).toBeLessThanOrEqual(1e-3 * Math.abs(a[j] + b[j]) + 1e-6);
      });
      expect(biasesMoved).toBeGreaterThan(10);
      [...w0.weights, ...w1.weights, ...half.weights].forEach((w) => w.tensor.dispose());
    }, 180_000);
  });

  it.skipIf(missing !== null)('--subset-batches: every batch from one subset, every photo once an epoch', () => {
    // 7 ss01, 5 ss02 and 2 ss03 photos in batches of 4: 2 + 2 + 1 batches, each of one subset
    const script = [
      'import sys, json, numpy as np',
      "sys.path.insert(0, 'tools/torch')",
      'from finetune import epoch_batches',
      "subsets = np.array(['ss01'] * 7 + ['ss02'] * 5 + ['ss03'] * 2)",
      'fit = np.arange(14)',
      'mixed = epoch_batches(fit, subsets, 4, False, np.random.RandomState(1))',
      'split = epoch_batches(fit, subsets, 4, True, np.random.RandomState(1))',
      'print(json.dumps({k: [[int(i) for i in b] for b in v] for k, v in (("mixed", mixed), ("split", split))}))',
    ].join('\n');
    const run = spawnSync(TORCH_PYTHON, ['-c', script], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const { mixed, split } = JSON.parse(run.stdout) as Record<'mixed' | 'split', number[][]>;
    const subsetOf = (i: number) => (i < 7 ? 'ss01' : i < 12 ? 'ss02' : 'ss03');
    for (const order of [mixed, split]) expect(order.flat().sort((a, b) => a - b)).toEqual([...Array(14).keys()]);
    expect(mixed.map((b) => b.length)).toEqual([4, 4, 4, 2]);
    expect(split.map((b) => new Set(b.map(subsetOf)).size)).toEqual([1, 1, 1, 1, 1]);
    expect(split.map((b) => b.length).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 4]);
    // the mixed order does mix: some batch holds more than one subset
    expect(mixed.some((b) => new Set(b.map(subsetOf)).size > 1)).toBe(true);
  });
});
