import { parseLabels, saysSideways, trainingLabels } from '../../tools/model/labels';
import { calibrate } from '../../tools/model/aspect-head';
import { aspectAuc, reasonFigures, type Judged } from '../../tools/model/reason-figures';
import { ASPECTS, LABELLED_ASPECTS, type AspectId } from '../../src/core/aspects';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const sev = (over: Partial<Record<string, number>> = {}) => Object.fromEntries(LABELLED_ASPECTS.map((a) => [a, over[a] ?? 0.05]));
const line = (image: string, over: Record<string, unknown> = {}) =>
  JSON.stringify({ image, split: 'train', sev: sev(), main: 'none', why: {}, overall: 4, overall_why: 'fine', other: '', run: 'c1', ...over });

describe('labels file', () => {
  it('loads good lines and names the line of every bad one, loading the rest', () => {
    const text = `${[
      line('a.jpg'),
      '{"image": "b.jpg", "split": ', // invalid JSON, not the last line
      line('c.jpg', { sev: (({ blur, ...rest }) => rest)(sev()) }), // an aspect missing
      line('d.jpg', { sev: sev({ noise: 1.4 }) }), // outside 0–1
      line('e.jpg', { main: 'glare' }),
      line('nowhere.jpg'), // not a photo of the data set
      line('f.jpg', { sev: sev({ blur: 0.8 }), main: 'blur', overall: 1 }),
    ].join('\n')}\n`;
    const known = new Set(['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'e.jpg', 'f.jpg']);
    const read = parseLabels(text, 'labels.jsonl', known);
    expect(read.labels.map((l) => l.image)).toEqual(['a.jpg', 'f.jpg']);
    expect(read.labels[1]).toMatchObject({ main: 'blur', overall: 1, line: 7 });
    expect(read.errors.map((e) => [e.line, e.message])).toEqual([
      [2, expect.stringMatching(/^invalid JSON/)],
      [3, expect.stringContaining('"sev" has no "blur"')],
      [4, expect.stringContaining('"sev.noise" must be a number from 0 to 1, got 1.4')],
      [5, expect.stringContaining('"main" must be "none" or one of blur')],
      [6, '"nowhere.jpg" is not a photo of the data set'],
    ]);
    expect(read.warnings).toEqual([]);
  });

  it('drops a torn last line with a warning, not an error', () => {
    const read = parseLabels(`${line('a.jpg')}\n${line('b.jpg').slice(0, 40)}`, 'l.jsonl');
    expect(read.labels).toHaveLength(1);
    expect(read.errors).toEqual([]);
    expect(read.warnings).toEqual([{ file: 'l.jsonl', line: 2, message: expect.stringContaining('cut short') }]);
  });

  it('replaces a photo labelled several times in the calibration file by the mean of its labels', () => {
    const dir = mkdtempSync(join(tmpdir(), 'labels-'));
    writeFileSync(join(dir, 'main.jsonl'), `${line('a.jpg')}\n${line('b.jpg')}\n`);
    writeFileSync(join(dir, 'cal.jsonl'), `${[0.3, 0.5, 0.7].map((b, i) => line('b.jpg', { sev: sev({ blur: b }), main: i ? 'blur' : 'none', overall: 2 + i })).join('\n')}\n`);
    const { byImage } = trainingLabels(new Set(['a.jpg', 'b.jpg']), { main: join(dir, 'main.jsonl'), calibration: join(dir, 'cal.jsonl') });
    expect(byImage.get('b.jpg')!.sev.blur).toBeCloseTo(0.5, 10);
    expect(byImage.get('b.jpg')!).toMatchObject({ main: 'blur', overall: 3 });
    expect(byImage.get('a.jpg')!.sev.blur).toBe(0.05);
  });

  it('tells a photo stored sideways from one that leans', () => {
    const [turned, leaning] = parseLabels(
      `${line('a.jpg', { other: 'The photo is turned sideways.' })}\n${line('b.jpg', { why: { tilt: 'The shelf leans a few degrees.' }, sev: sev({ tilt: 0.4 }) })}\n`,
      'l',
    ).labels;
    expect(saysSideways(turned)).toBe(true);
    expect(saysSideways(leaning)).toBe(false);
  });
});

describe('calibration at "a buyer would notice"', () => {
  it('flags between 3/4 and 5/4 of the labelled share, with at least 3 in 4 flags on labelled defects', () => {
    // 100 photos, 20 labelled defects; the prediction ranks them well but not perfectly
    const y = Array.from({ length: 100 }, (_, i) => (i < 20 ? 0.5 : 0.1));
    const raw = y.map((v, i) => (v > 0.35 ? 1 : 0) + ((i * 37) % 100) / 150);
    const c = calibrate(raw, y);
    expect(c.labelledShare).toBe(0.2);
    expect(c.flaggedShare).toBeGreaterThanOrEqual(0.15);
    expect(c.flaggedShare).toBeLessThanOrEqual(0.25);
    expect(c.precision).toBeGreaterThanOrEqual(0.75);
    const flagged = raw.filter((v) => 0.35 + c.slope * (v - c.at35) >= 0.35).length;
    expect(flagged / 100).toBe(c.flaggedShare);
    expect(c.slope).toBeGreaterThan(0);
  });

  it('keeps the most precise threshold in range when none is precise enough', () => {
    const y = Array.from({ length: 40 }, (_, i) => (i % 2 ? 0.6 : 0)); // a useless predictor
    const c = calibrate(
      y.map((_, i) => i),
      y,
    );
    expect(c.flaggedShare).toBeGreaterThanOrEqual(0.375);
    expect(c.flaggedShare).toBeLessThanOrEqual(0.625);
  });
});

describe('reason figures', () => {
  const judged = (over: Partial<Record<string, number>>, reasons: AspectId[], overall: number, main = 'none'): Judged => ({
    label: { ...parseLabels(line('x.jpg', { sev: sev(over), overall, main }), 'l').labels[0] },
    sev: Object.fromEntries(ASPECTS.map((a) => [a, reasons.includes(a) ? 0.5 : 0.1])) as Judged['sev'],
    reasons,
  });

  it('counts poor photos with a reason, first reasons the label flags or names as main, and clean photos told off', () => {
    const items = [
      judged({ blur: 0.7 }, ['blur'], 1, 'blur'), // right, and the main defect
      judged({ blur: 0.7, noise: 0.4 }, ['noise', 'blur'], 2, 'blur'), // flagged, but not the main one
      judged({ underexposure: 0.6 }, ['blur'], 2, 'underexposure'), // wrong defect
      judged({ blur: 0.5 }, [], 2, 'blur'), // nothing said
      judged({}, [], 5), // clean, quiet
      judged({}, ['framing'], 4), // clean, told off
      judged({ framing: 0.4 }, ['framing'], 4, 'framing'), // not clean: the label flags framing
    ];
    const f = reasonFigures(items, ASPECTS);
    expect(f).toMatchObject({ poor: 4, poorWithReason: 0.75, poorFirstFlagged: 0.5, poorFirstFlaggedOfReasoned: 0.667, poorFirstMain: 0.25, clean: 2, cleanWithReason: 0.5 });
    expect(f.cleanFlaggedBy.framing).toBe(0.5);
    expect(f.flags.framing).toMatchObject({ n: 2, precision: 0.5 });
  });

  it('gives an AUC with a bootstrap interval around it', () => {
    const items = Array.from({ length: 60 }, (_, i) => judged(i < 20 ? { blur: 0.6 } : {}, i < 20 || i % 7 === 0 ? ['blur'] : [], 3));
    const a = aspectAuc(items, 'blur', 200)!;
    expect(a.positives).toBe(20);
    expect(a.auc).toBeGreaterThan(0.8);
    expect(a.lo).toBeLessThanOrEqual(a.auc);
    expect(a.hi).toBeGreaterThanOrEqual(a.auc);
    expect(aspectAuc(items, 'noise')).toBeNull();
  });
});
