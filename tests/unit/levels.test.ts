import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MEASURE_NAMES } from '../../src/core/measures/measures';
import { BACKBONE_FEATURES } from '../../src/core/model/features';
import { CANDIDATE_LEVELS } from '../../tools/model/experiments/levels';
import { DEFAULT_LINEAR } from '../../tools/model/linear-head';
import { runTool, smokeData, writeFeatureRows, type SmokeData } from './helpers/experiment-data';

describe('npm run levels on four photos', () => {
  const LEVELS = 'tools/model/experiments/levels.ts';
  let s: SmokeData;
  beforeAll(() => {
    s = smokeData();
    writeFeatureRows(s);
  });
  afterAll(() => s.dispose());

  it('answers --help', async () => {
    const { code, stdout } = await runTool(LEVELS, ['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/--sets/);
  });

  it('extracts every candidate level of each photo, then judges the shipped features with and without a level', async () => {
    const { code, stdout, stderr } = await runTool(LEVELS, ['--cache', s.cache, '--folds', '2', '--sets', '[[], ["expanded_conv_9/add"]]'], { PHOTO_COACH_DATA: s.data });
    expect(code, stderr).toBe(0);
    const cached = readFileSync(join(s.cache, 'levels', 'part-0-of-1.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(cached.map((r) => r.key)).toEqual(s.images.map((img) => `train|${img}|clean`));
    const names = CANDIDATE_LEVELS.map((n) => n.replace(/^tower_0\/(MobilenetV3\/)?/, ''));
    for (const r of cached) expect(Object.keys(r.levels)).toEqual(names);
    const shipped = BACKBONE_FEATURES + MEASURE_NAMES.length;
    const added = cached[0].levels['expanded_conv_9/add'].length;
    expect(added).toBe(2 * 64);
    expect(stdout).toMatch(/^4 rated train photos, 2-fold CV/m);
    expect(stdout).toContain(`| (shipped) | ${DEFAULT_LINEAR.lambda} | ${shipped} |`);
    expect(stdout).toContain(`| expanded_conv_9/add | ${DEFAULT_LINEAR.lambda} | ${shipped + added} |`);
  });
});
