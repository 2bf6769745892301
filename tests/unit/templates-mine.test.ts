import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gpt4oAssessments, gpt4oDistortionInfo, labelJsonl } from '../../tools/templates/adapters';
import { clusterGroup, ngrams, stem } from '../../tools/templates/cluster';
import { mine, loadBiqLabels } from '../../tools/templates/mine';
import { DATA_DIR } from '../../tools/model/dataset';
import { biq2021Labels } from '../../tools/templates/adapters';

const DATA = join(DATA_DIR, 'rationales/doi_vllms');
const ASSESSMENTS = join(DATA, 'gpt4o_assessments/assessment_final_484_verified.json');
const INFO = join(DATA, 'gpt4o_distortion_info/benchmark-v1_dist_info_v1.json');

// The describe body runs while tests are collected, even when skipped: the corpus is read in
// beforeAll so a clone without the data only skips.
describe.skipIf(!existsSync(ASSESSMENTS))(`mining the GPT-4o assessments${existsSync(ASSESSMENTS) ? '' : ` (skipped: ${ASSESSMENTS} missing; set PHOTO_COACH_DATA)`}`, () => {
  type Raw = { assessment?: string; assessment_split: string; global: object; local: object };
  let corpus: ReturnType<typeof gpt4oAssessments>;
  let raw: Raw[];
  let complete: Raw[];
  let direct: Record<string, number>;
  // An independent count: rationales whose quality paragraphs (all but the first, which
  // describes content) use each distortion family's own words.
  const words: Record<string, RegExp> = {
    clarity: /clarity/i,
    blur: /blur|out of focus/i,
    exposure: /exposure|darkness/i,
    noise: /nois/i,
    compression: /compression|blocking/i,
  };
  beforeAll(() => {
    corpus = gpt4oAssessments(ASSESSMENTS);
    raw = JSON.parse(readFileSync(ASSESSMENTS, 'utf8')) as Raw[];
    complete = raw.filter((r) => r.assessment?.trim());
    direct = Object.fromEntries(
      Object.entries(words).map(([f, re]) => [
        f,
        complete.filter((r) =>
          re.test(
            r.assessment_split
              .split(/\n\s*\n/)
              .slice(1)
              .join(' '),
          ),
        ).length,
      ]),
    );
  });

  it('reads every complete rationale', () => {
    expect(corpus.docs).toBe(complete.length);
    expect(corpus.docs).toBe(472);
  });

  it('recovers blur, exposure, noise, compression and clarity as the most-mentioned families, with the direct counts', () => {
    const summary = mine([corpus]).corpora[0];
    const top5 = summary.mentions.slice(0, 5);
    expect(new Set(top5.map((m) => m.family))).toEqual(new Set(Object.keys(words)));
    for (const m of top5) expect(m.docs, m.family).toBe(direct[m.family]);
    expect(summary.mentions.find((m) => m.family === 'compression')!.sellerAspect).toBe(false);
    expect(summary.mentions.find((m) => m.family === 'exposure')!.aspects).toEqual(['underexposure', 'overexposure']);
  });

  it('counts the human distortion labels as the file has them', () => {
    let compression = 0;
    let noise = 0;
    for (const r of complete) {
      for (const k of [...Object.keys(r.global), ...Object.keys(r.local)]) {
        if (k.startsWith('Compression Issue')) compression++;
        if (k === 'Noise') noise++;
      }
    }
    expect(corpus.annotations!.compression).toBe(compression);
    expect(corpus.annotations!.noise).toBe(noise);
  });

  it('clusters the wording with support counts and source ids', () => {
    const clusters = mine([corpus]).clusters;
    const lowClarity = clusters.find((c) => c.id === 'gpt4o_assessments/clarity/strong/low-clarit')!;
    expect(lowClarity.phrase).toBe('low clarity');
    expect(lowClarity.support).toBeGreaterThan(100);
    expect(lowClarity.sources.every((s) => raw.some((r) => (r as { filename?: string }).filename === s))).toBe(true);
  });
});

describe.skipIf(!existsSync(INFO))(`mining the GPT-4o distortion notes${existsSync(INFO) ? '' : ` (skipped: ${INFO} missing)`}`, () => {
  it('counts each note under the family of its distortion name', () => {
    const rows = JSON.parse(readFileSync(INFO, 'utf8')) as { distortions: { distortion: string }[] }[];
    const names = rows.flatMap((r) => r.distortions.map((d) => d.distortion));
    const corpus = gpt4oDistortionInfo(INFO);
    expect(corpus.docs).toBe(names.length);
    expect(corpus.mentions.noise!.docs).toBe(names.filter((n) => n === 'Noise').length);
    expect(corpus.mentions.exposure!.docs).toBe(names.filter((n) => n === 'Underexposure' || n === 'Overexposure').length);
    expect(corpus.mentions.blur!.docs).toBe(names.filter((n) => n === 'Out of focus blur' || n === 'Motion blur').length);
  });
});

describe('our label JSONL and the clusterer', () => {
  it('stems word forms together and keeps phrases free of edge stop words', () => {
    expect(['blur', 'blurred', 'blurry', 'blurring'].map(stem)).toEqual(['blur', 'blur', 'blur', 'blur']);
    expect(stem('darkness')).toBe('dark');
    expect([...ngrams('The photo is slightly blurry.').values()]).toEqual(['slightly blurry']);
  });

  it('bands our rationales by severity and clusters them by shared phrasing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mine-'));
    const file = join(dir, 'labels.jsonl');
    const rec = (sha: string, blur: number, why: string) =>
      JSON.stringify({
        sha256: sha,
        answer: { aspects: { blur: { verdict: 'x', severity: blur, rationale: why }, tilt: { verdict: 'ok', severity: 0.1, rationale: 'Level.' } } },
      });
    writeFileSync(
      file,
      [
        rec('a', 0.8, 'The mug is out of focus.'),
        rec('b', 0.9, 'Label text out of focus and soft.'),
        rec('c', 0.7, 'Motion blur smears the edges.'),
        rec('d', 0.4, 'Slightly soft edges.'),
        'not json',
        '',
      ].join('\n'),
    );
    const corpus = labelJsonl(file);
    expect(corpus.docs).toBe(4);
    expect(corpus.units.map((u) => [u.doc, u.band])).toEqual([
      ['a', 'strong'],
      ['b', 'strong'],
      ['c', 'strong'],
      ['d', 'mild'],
    ]);
    const [first] = clusterGroup(
      corpus.units.filter((u) => u.band === 'strong'),
      { maxClusters: 3, minSupport: 2 },
    );
    expect(first).toMatchObject({ phrase: 'out of focus', support: 2, sources: ['a', 'b'], band: 'strong', topic: 'blur' });
    expect(first.id).toBe('labels/labels.jsonl/blur/strong/out-of-focu');
  });
});

describe('the step-by-step labels adapter', () => {
  const line = (image: string, over: Record<string, unknown> = {}) =>
    JSON.stringify({
      image,
      split: 'train',
      main: 'blur',
      overall: 2,
      why: { blur: 'The mug is out of focus.' },
      other: '',
      run: 'c1',
      sev: { blur: 0.7, noise: 0.1, underexposure: 0, overexposure: 0, low_resolution: 0, tilt: 0.1, framing: 0.1, clutter: 0, color_cast: 0 },
      ...over,
    });

  it('bands each flagged aspect by its severity, sends a turned photo to sideways, and skips val rows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'biq-'));
    const file = join(dir, 'biq.jsonl');
    writeFileSync(
      file,
      `${[
        line('a.jpg'),
        line('b.jpg', {
          why: { tilt: 'The photo is turned sideways, so the shelf stands on end.' },
          sev: { blur: 0, noise: 0, underexposure: 0, overexposure: 0, low_resolution: 0, tilt: 0.7, framing: 0, clutter: 0, color_cast: 0 },
        }),
        line('c.jpg', { split: 'val' }),
      ].join('\n')}\n`,
    );
    const corpus = biq2021Labels(file);
    expect(corpus.docs).toBe(2);
    expect(corpus.units.map((u) => [u.doc, u.topic, u.band])).toEqual([
      ['a.jpg', 'blur', 'strong'],
      ['b.jpg', 'sideways', 'strong'],
    ]);
    expect(corpus.problems).toEqual([]);
  });

  it('names the line of each bad label and loads the rest; a torn last line is only a warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'biq-'));
    const file = join(dir, 'biq.jsonl');
    writeFileSync(file, [line('a.jpg'), 'not json', line('b.jpg', { sev: { blur: 2 } }), line('c.jpg'), line('d.jpg').slice(0, 30)].join('\n'));
    const corpus = biq2021Labels(file);
    expect(corpus.units.map((u) => u.doc)).toEqual(['a.jpg', 'c.jpg']);
    expect(corpus.problems.map((p) => [p.line, p.message.slice(0, 22)])).toEqual([
      [2, 'invalid JSON: Unexpect'],
      [3, '"sev.blur" must be a n'],
      [5, 'last line is cut short'],
    ]);
    expect(loadBiqLabels(join(dir, 'missing.jsonl'))).toEqual([]);
  });
});
