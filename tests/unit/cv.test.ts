import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FeatureRow } from '../../tools/model/features-file';
import { DEFAULT_LINEAR } from '../../tools/model/linear-head';
import { rng } from '../../tools/model/rng';
import { runTool } from './helpers/experiment-data';

const CV = 'tools/model/cv.ts';

describe('npm run cv (quality head settings)', () => {
  let cache: string;
  beforeAll(() => {
    cache = mkdtempSync(join(tmpdir(), 'cv-'));
    const r = rng(3);
    const rows: FeatureRow[] = Array.from({ length: 40 }, (_, i) => {
      const f = Array.from({ length: 6 }, () => r() * 2 - 1);
      return { key: `k${i}`, split: 'train', image: `p${i}.jpg`, subset: i % 2 ? 'ss01' : 'ss02', mos: 0.5 + 0.3 * f[0] + 0.05 * r(), aspect: null, strength: 0, seed: 0, f };
    });
    mkdirSync(join(cache, 'features'));
    writeFileSync(join(cache, 'features', 'part-0-of-1.jsonl'), `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
  });
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  it('judges the shipped ridge head for a config that names no λ', async () => {
    const shipped = { ridge: DEFAULT_LINEAR.lambda, pooledShare: DEFAULT_LINEAR.pooledShare };
    const { code, stdout, stderr } = await runTool(CV, ['--cache', cache, '--folds', '2', '--configs', JSON.stringify([{}, shipped])]);
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('40 rated train rows, 0 damaged, 2 folds');
    expect(lines[1]).toMatch(/^\{\} pooled \d\.\d{3} {2}ss01 \d\.\d{3} {2}ss02 \d\.\d{3}$/);
    expect(lines[2]).toBe(`${JSON.stringify(shipped)}${lines[1].slice(2)}`);
  });

  it('refuses a setting it does not know, and points MLP head settings to their experiment', async () => {
    const { code, stderr } = await runTool(CV, ['--cache', cache, '--configs', '[{"ridge":600}, {"hidden":64}]']);
    expect(code).not.toBe(0);
    expect(stderr).toContain('unknown config keys hidden');
    expect(stderr).toContain('tools/model/experiments/mlp-head.ts');
  });
});
