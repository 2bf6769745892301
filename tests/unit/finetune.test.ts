import * as tf from '@tensorflow/tfjs';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendRow, partFiles, pooled, readTaps, resumePart, TAP_SIZE, TAPS } from '../../tools/model/experiments/finetune';
import { runTool, smokeData, writeFeatureRows, type SmokeData } from './helpers/experiment-data';

describe('extern1 on cached activations (npm run finetune)', () => {
  it('pools the hard-swished 1×1 convolution as the pipeline does: mean and std per channel', async () => {
    await tf.setBackend('cpu');
    const n = 2;
    const taps = tf.randomNormal([n, TAP_SIZE], 0, 1, 'float32', 3) as tf.Tensor2D;
    const W = tf.randomNormal([120, 480], 0, 0.2, 'float32', 4) as tf.Tensor2D;
    const b = tf.randomNormal([480], 0, 0.5, 'float32', 5) as tf.Tensor1D;
    const e = { W: new Float32Array(), b: new Float32Array(), scale: 1 / 6, shift: 3 };
    const got = pooled(taps, W, b, e).arraySync();
    const x = taps.arraySync();
    const w = W.arraySync();
    const bias = b.arraySync();
    const hswish = (v: number) => (v / 6) * Math.min(6, Math.max(0, v + 3));
    for (let i = 0; i < n; i++) {
      for (const c of [0, 17, 479]) {
        const h = Array.from({ length: 100 }, (_, s) => {
          let v = bias[c];
          for (let k = 0; k < 120; k++) v += x[i][s * 120 + k] * w[k][c];
          return hswish(v);
        });
        const mean = h.reduce((a, v) => a + v, 0) / 100;
        const std = Math.sqrt(h.reduce((a, v) => a + (v - mean) ** 2, 0) / 100 + 1e-6);
        expect(got[i][c]).toBeCloseTo(mean, 4);
        expect(got[i][480 + c]).toBeCloseTo(std, 4);
      }
    }
    tf.dispose([taps, W, b]);
  });

  it('reads back every whole row it cached, and drops a row cut short before its key was written', () => {
    const cache = mkdtempSync(join(tmpdir(), 'finetune-'));
    try {
      const dir = join(cache, 'finetune');
      mkdirSync(dir, { recursive: true });
      const files = partFiles(dir, 0, 1);
      const rows = [1, 2].map((seed) => Float32Array.from({ length: TAPS.length * TAP_SIZE }, (_, i) => seed * 1000 + i));
      appendRow(files, 'a.jpg', rows[0]);
      appendRow(files, 'b.jpg', rows[1]);
      appendFileSync(files.data, new Uint8Array(100)); // a third row, interrupted
      expect(resumePart(files)).toEqual(['a.jpg', 'b.jpg']);
      for (const tap of [0, 1]) {
        const got = readTaps(cache, tap);
        expect([...got.keys()]).toEqual(['a.jpg', 'b.jpg']);
        expect(Array.from(got.get('b.jpg')!)).toEqual(Array.from(rows[1].subarray(tap * TAP_SIZE, (tap + 1) * TAP_SIZE)));
      }
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe('npm run finetune on four photos', () => {
  const FINETUNE = 'tools/model/experiments/finetune.ts';
  let s: SmokeData;
  beforeAll(() => {
    s = smokeData();
    writeFeatureRows(s);
  });
  afterAll(() => s.dispose());

  it('answers --help', async () => {
    const { code, stdout } = await runTool(FINETUNE, ['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--extract');
    expect(stdout).toContain('--cv');
  });

  it('caches the activations of each photo, then fits extern1 for one round of 2-fold CV', async () => {
    const { code, stdout, stderr } = await runTool(FINETUNE, ['--cache', s.cache, '--extract', '--cv', '--folds', '2', '--rounds', '1', '--batch', '2'], { PHOTO_COACH_DATA: s.data });
    expect(code, stderr).toBe(0);
    expect(resumePart(partFiles(join(s.cache, 'finetune'), 0, 1))).toEqual(s.images);
    expect(stdout).toMatch(/^4 rated train photos with cached activations, 2 folds/m);
    expect(stdout).toMatch(/^reproduces the cached extern1 features/m);
    expect(stdout).toMatch(/^fold 1 round 1: train loss /m);
    expect(stdout).toMatch(/^\| 0 \| .*\n\| 1 \| /m);
  });
});
