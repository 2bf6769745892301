import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MEASURE_NAMES } from '../../src/core/measures/measures';
import { BACKBONE_FEATURES } from '../../src/core/model/features';
import { runTool, smokeData, type SmokeData } from './helpers/experiment-data';

describe('npm run sizes on four photos', () => {
  const SIZES = 'tools/model/experiments/sizes.ts';
  let s: SmokeData;
  beforeAll(() => {
    s = smokeData();
  });
  afterAll(() => s.dispose());

  it('answers --help', async () => {
    const { code, stdout } = await runTool(SIZES, ['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/--sides/);
  });

  it('runs the whole pipeline at each backbone side, then prints the CV row of each', async () => {
    const { code, stdout, stderr } = await runTool(SIZES, ['--cache', s.cache, '--every', '1', '--folds', '2', '--sides', '160,320'], { PHOTO_COACH_DATA: s.data });
    expect(code, stderr).toBe(0);
    for (const side of [160, 320]) {
      const rows = readFileSync(join(s.cache, 'sizes', `side-${side}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(rows.map((r) => r.image)).toEqual(s.images);
      for (const r of rows) expect(r.f).toHaveLength(BACKBONE_FEATURES + MEASURE_NAMES.length);
      expect(stdout).toMatch(new RegExp(`^\\| ${side} \\| \\d+ \\| `, 'm'));
    }
    expect(stdout).toMatch(/^4 train photos \(every 1th\), 2-fold CV/m);
  });
});
