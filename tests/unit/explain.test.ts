// Golden files: src/core/explain/templates.{en,ja}.json, written from the candidates that
// `npm run templates` mines from ../shared/data/rationales (tools/templates/README.md).
import { ASPECTS, type Score } from '../../src/core/aspects';
import { checkPhoto, dHash, explain, findNearDuplicates, hamming, RAISE_AT, raiseAt, rankCover, TEMPLATES } from '../../src/core/explain';
import { RAISE_RAMP } from '../../src/core/explain/reasons';

// without a rating (a model that lacks the output) the bar is the plain 0.35
const score = (overall: number, aspects: Partial<Score['aspects']> = {}, band: Score['band'] = 'ok', rating?: number): Score => ({
  overall,
  rating,
  band,
  aspects: Object.fromEntries(ASPECTS.map((a) => [a, aspects[a] ?? 0])) as Score['aspects'],
  width: 1000,
  height: 800,
});

describe('explanations', () => {
  it.each(['en', 'ja'] as const)('every aspect has a reason and a tip in every band (%s)', (locale) => {
    for (const a of ASPECTS) {
      for (const band of ['mild', 'strong'] as const) {
        expect(TEMPLATES[locale][a][band].reason.length).toBeGreaterThan(5);
        expect(TEMPLATES[locale][a][band].tip.length).toBeGreaterThan(5);
      }
    }
  });

  it('gives the most severe (and, at equal severity, most fixable) reasons first, at most three', () => {
    const advice = explain(score(30, { noise: 0.7, underexposure: 0.7, blur: 0.9, tilt: 0.4, clutter: 0.36 }), 'en');
    expect(advice.reasons.map((r) => r.aspect)).toEqual(['blur', 'underexposure', 'noise']);
    expect(advice.reasons[0].reason).toBe(TEMPLATES.en.blur.strong.reason);
    expect(advice.great).toBe(false);
  });

  it('uses the mild wording below 0.6 and raises nothing under 0.35', () => {
    const advice = explain(score(60, { tilt: 0.45, framing: 0.2 }), 'ja');
    expect(advice.reasons).toEqual([{ aspect: 'tilt', severity: 0.45, reason: TEMPLATES.ja.tilt.mild.reason, tip: TEMPLATES.ja.tilt.mild.tip }]);
  });

  // every band × (nothing over threshold, one reason, several): praise only for a great photo with
  // nothing to fix; below great an honest line that is not a reason; a reason always leads. Each
  // band's photo scores in its band and is rated as such a photo can be (the great one just
  // under the ramp's top, so a reason over its bar can still be mild), so the bar a reason must
  // clear is the one the ramp sets there.
  it.each(['en', 'ja'] as const)('says what each band and reason case deserves (%s)', (locale) => {
    const t = TEMPLATES[locale];
    const at: Record<Score['band'], { overall: number; rating: number }> = { great: { overall: 85, rating: 3.9 }, ok: { overall: 50, rating: 3.5 }, needs_work: { overall: 20, rating: 2 } };
    const over = (band: Score['band']) => raiseAt(at[band]) + 0.02;
    const under = (band: Score['band']) => raiseAt(at[band]) - 0.02;
    const cases: [Score['band'], Partial<Score['aspects']>, { great: boolean; headline: string; aspects: string[] }][] = [
      ['great', {}, { great: true, headline: t.great, aspects: [] }],
      ['ok', {}, { great: false, headline: t.fine, aspects: [] }],
      ['needs_work', {}, { great: false, headline: t.weak, aspects: [] }],
      ['great', { framing: under('great') }, { great: true, headline: t.great, aspects: [] }],
      ['needs_work', { blur: under('needs_work'), noise: 0.2 }, { great: false, headline: t.weak, aspects: [] }],
      ['great', { clutter: over('great') }, { great: false, headline: t.clutter.mild.reason, aspects: ['clutter'] }],
      ['great', { clutter: 0.7 }, { great: false, headline: t.clutter.strong.reason, aspects: ['clutter'] }],
      ['ok', { tilt: over('ok') }, { great: false, headline: t.tilt.mild.reason, aspects: ['tilt'] }],
      ['needs_work', { underexposure: 0.8, noise: 0.5 }, { great: false, headline: t.underexposure.strong.reason, aspects: ['underexposure', 'noise'] }],
      ['needs_work', { sideways: 0.9 }, { great: false, headline: t.sideways.strong.reason, aspects: ['sideways'] }],
    ];
    for (const [band, aspects, want] of cases) {
      const advice = explain(score(at[band].overall, aspects, band, at[band].rating), locale);
      expect({ great: advice.great, headline: advice.headline, aspects: advice.reasons.map((r) => r.aspect) }, `${band} ${JSON.stringify(aspects)}`).toEqual(want);
    }
    // the honest lines are not praise, and differ from it and from each other
    expect(new Set([t.great, t.fine, t.weak]).size).toBe(3);
  });

  it('raises the bar for a reason with the rating: 0.35 up to the ramp, then climbing to its top', () => {
    const { by, from, to, extra } = RAISE_RAMP;
    expect(by).toBe('rating');
    expect(extra).toBeGreaterThan(0);
    const rated = (rating: number) => ({ overall: 50, rating });
    expect(raiseAt(rated(1))).toBe(RAISE_AT);
    expect(raiseAt(rated(from))).toBe(RAISE_AT);
    expect(raiseAt(rated((from + to) / 2))).toBeCloseTo(RAISE_AT + extra / 2, 10);
    expect(raiseAt(rated(to))).toBeCloseTo(RAISE_AT + extra, 10);
    expect(raiseAt(rated(5))).toBeCloseTo(RAISE_AT + extra, 10);
    // a model without the rating output, or an unknown rating: the plain bar, whatever the score
    expect(raiseAt({ overall: 95 })).toBe(RAISE_AT);
    expect(raiseAt(rated(Number.NaN))).toBe(RAISE_AT);
    // the same borderline defect is raised on a photo rated weak and not on one rated strong, whatever the score
    const borderline = { framing: RAISE_AT + extra / 2 };
    expect(explain(score(85, borderline, 'great', from - 0.5), 'en').reasons.map((r) => r.aspect)).toEqual(['framing']);
    expect(explain(score(85, borderline, 'great', to + 0.5), 'en')).toMatchObject({ great: true, reasons: [] });
    expect(explain(score(40, borderline, 'ok', to + 0.5), 'en')).toMatchObject({ great: false, headline: TEMPLATES.en.fine, reasons: [] });
    // a strong defect is raised on any photo
    expect(explain(score(85, { blur: 0.65 }, 'great', 5), 'en').reasons.map((r) => r.aspect)).toEqual(['blur']);
    // a ramp on the score, as the CV tool compares them
    expect(raiseAt({ overall: 60 }, { by: 'score', from: 60, to: 60, extra: 0.2 })).toBeCloseTo(0.55, 10);
    expect(raiseAt({ overall: 59.9, rating: 5 }, { by: 'score', from: 60, to: 60, extra: 0.2 })).toBe(RAISE_AT);
  });

  it('orders by severity; fixability only breaks ties', () => {
    // low resolution is the hardest fix, yet more severe: it goes first
    expect(explain(score(30, { low_resolution: 0.8, tilt: 0.5 }), 'en').reasons.map((r) => r.aspect)).toEqual(['low_resolution', 'tilt']);
    expect(explain(score(30, { noise: 0.5, tilt: 0.5, low_resolution: 0.5 }), 'en').reasons.map((r) => r.aspect)).toEqual(['tilt', 'noise', 'low_resolution']);
  });

  it('asks to turn a sideways photo, not to retake it', () => {
    expect(TEMPLATES.en.sideways.strong.tip).toMatch(/turn/i);
    expect(TEMPLATES.en.sideways.strong.tip).toMatch(/no retake/i);
  });

  it('recommends the best-scoring, well-framed photo as the cover', () => {
    expect(rankCover([undefined, score(70), score(80)])).toBe(2);
    expect(rankCover([score(78), score(80, { framing: 0.9 })])).toBe(0);
    expect(rankCover([undefined, undefined])).toBe(-1);
  });

  it('applies marketplace checks without a model', () => {
    expect(checkPhoto({ width: 480, height: 640 }, 'en').map((c) => c.code)).toEqual(['SHORT_SIDE_UNDER_500']);
    expect(checkPhoto({ width: 480, height: 640 }, 'en')[0].message).toContain('480×640');
    expect(checkPhoto({ width: 4000, height: 1000 }, 'ja').map((c) => c.code)).toEqual(['EXTREME_ASPECT_RATIO']);
    expect(checkPhoto({ width: 1200, height: 900 }, 'en')).toEqual([]);
  });

  it.each(['en', 'ja'] as const)('every template names the mined cluster it rests on (%s)', (locale) => {
    for (const a of ASPECTS) {
      for (const band of ['mild', 'strong'] as const) {
        const p = TEMPLATES[locale][a][band].provenance;
        expect(p.cluster.startsWith(`${p.corpus}/`), `${a}/${band}`).toBe(true);
        expect(p.support).toBeGreaterThanOrEqual(3);
        expect(p).toEqual(TEMPLATES.en[a][band].provenance);
      }
    }
  });

  it('speaks Japanese in the Japanese file', () => {
    const kana = /[\u3040-\u30ff]/;
    for (const a of ASPECTS) {
      for (const band of ['mild', 'strong'] as const) {
        expect(TEMPLATES.ja[a][band].reason).toMatch(kana);
        expect(TEMPLATES.ja[a][band].tip).toMatch(kana);
      }
    }
    expect(TEMPLATES.ja.great).toMatch(kana);
  });

  it('puts the easier fix first when severities tie, and headlines the top reason', () => {
    const advice = explain(score(40, { low_resolution: 0.7, underexposure: 0.7 }), 'en');
    expect(advice.reasons.map((r) => r.aspect)).toEqual(['underexposure', 'low_resolution']);
    expect(advice.headline).toBe(TEMPLATES.en.underexposure.strong.reason);
  });

  it('says "fine" rather than "great" for an unremarkable photo', () => {
    expect(explain(score(55, { blur: 0.34 }), 'ja')).toEqual({ great: false, headline: TEMPLATES.ja.fine, reasons: [] });
  });
});

describe('near-duplicate photos', () => {
  const image = (w: number, h: number, f: (x: number, y: number) => number) => {
    const g = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) g[y * w + x] = f(x, y);
    return g;
  };

  it('hashes hand-built 9×8 images bit by bit', () => {
    expect(
      dHash(
        image(9, 8, (x) => x * 20),
        9,
        8,
      ),
    ).toBe('0000000000000000');
    expect(
      dHash(
        image(9, 8, (x) => 200 - x * 20),
        9,
        8,
      ),
    ).toBe('ffffffffffffffff');
    expect(
      dHash(
        image(9, 8, (x) => (x % 2 ? 0 : 255)),
        9,
        8,
      ),
    ).toBe('aaaaaaaaaaaaaaaa');
    // only the top row falls left to right
    expect(
      dHash(
        image(9, 8, (x, y) => (y === 0 ? 100 - x : x)),
        9,
        8,
      ),
    ).toBe('ff00000000000000');
  });

  it('averages bigger images down to 9×8, from bytes or floats', () => {
    const small = image(9, 8, (x, y) => (x * 37 + y * 91) % 256);
    const big = image(90, 80, (x, y) => small[Math.floor(y / 10) * 9 + Math.floor(x / 10)]);
    expect(dHash(big, 90, 80)).toBe(dHash(small, 9, 8));
    expect(
      dHash(
        Float32Array.from(small, (v) => v / 255),
        9,
        8,
      ),
    ).toBe(dHash(small, 9, 8));
    expect(() => dHash(new Uint8Array(10), 9, 8)).toThrow(RangeError);
  });

  it('finds the same shot re-exposed but not a different one', () => {
    const shot = (x: number, y: number) => 128 + 100 * Math.sin(x / 7) * Math.cos(y / 5);
    const a = dHash(image(64, 48, shot), 64, 48);
    const brighter = dHash(
      image(64, 48, (x, y) => Math.min(255, shot(x, y) * 1.1 + 8)),
      64,
      48,
    );
    const other = dHash(
      image(64, 48, (x, y) => 128 + 100 * Math.cos(x / 3 + y / 4)),
      64,
      48,
    );
    expect(hamming(a, brighter)).toBeLessThanOrEqual(4);
    expect(hamming(a, other)).toBeGreaterThan(10);
    expect(findNearDuplicates([a, undefined, other, brighter])).toEqual([[0, 3]]);
    expect(findNearDuplicates([])).toEqual([]);
  });
});
