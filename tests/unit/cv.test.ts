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

describe('npm run cv -- --rating (the rating column that sets the bar for reasons)', () => {
  let data: string;
  let cache: string;
  beforeAll(() => {
    // 80 labelled photos: the labels' overall follows feature 0, MOS follows feature 1 alone
    data = mkdtempSync(join(tmpdir(), 'cv-rating-data-'));
    cache = mkdtempSync(join(tmpdir(), 'cv-rating-'));
    const r = rng(11);
    const rows: FeatureRow[] = Array.from({ length: 80 }, (_, i) => {
      const f = Array.from({ length: 6 }, () => r() * 2 - 1);
      return { key: `k${i}`, split: 'train', image: `p${i}.jpg`, subset: i % 2 ? 'ss01' : 'ss02', mos: 0.5 + 0.3 * f[1], aspect: null, strength: 0, seed: 0, f };
    });
    mkdirSync(join(cache, 'features'));
    writeFileSync(join(cache, 'features', 'part-0-of-1.jsonl'), `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
    mkdirSync(join(data, 'biq2021', 'images'), { recursive: true });
    mkdirSync(join(data, 'labels'));
    for (const row of rows) writeFileSync(join(data, 'biq2021', 'images', row.image), '');
    const sev = { blur: 0.1, noise: 0.1, underexposure: 0.1, overexposure: 0.1, low_resolution: 0.1, tilt: 0.1, framing: 0.1, clutter: 0.1, color_cast: 0.1 };
    const lines = rows.map((row) => {
      const overall = Math.min(5, Math.max(1, Math.round(3 + 2.4 * row.f[0])));
      // a poor photo has a defect the labels flag; a clean one has none
      return JSON.stringify({ image: row.image, split: 'train', sev: overall <= 2 ? { ...sev, blur: 0.6 } : sev, main: overall <= 2 ? 'blur' : 'none', why: {}, overall, other: '', run: 't' });
    });
    writeFileSync(join(data, 'labels', 'biq2021-llm.jsonl'), `${lines.join('\n')}\n`);
  });
  afterAll(() => {
    rmSync(data, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  });

  it('tells held-out poor photos from clean ones by the rating, where the score cannot', async () => {
    const { code, stdout, stderr } = await runTool(CV, ['--rating', '--cache', cache, '--folds', '2', '--rating-lambdas', '[1, 10]'], { PHOTO_COACH_DATA: data });
    expect(code, stderr).toBe(0);
    const aucOf = (line: string | undefined) => Number(/AUC (\d\.\d{3})/.exec(line ?? '')?.[1]);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^80 held-out labelled photos, 2 folds/);
    const quality = aucOf(lines.find((l) => l.startsWith('quality column')));
    const rating = lines.filter((l) => l.startsWith('rating column'));
    expect(rating.map((l) => /λ (\d+)/.exec(l)?.[1])).toEqual(['1', '10']);
    for (const l of rating) expect(aucOf(l)).toBeGreaterThan(0.9);
    expect(quality).toBeLessThan(0.8);
  });
});
