import { ASPECTS, type Score } from '../../src/core/aspects';
import { checkPhoto, explain, rankCover, TEMPLATES } from '../../src/core/explain';

const score = (overall: number, aspects: Partial<Score['aspects']> = {}, band: Score['band'] = 'ok'): Score => ({
  overall,
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

  it('praises a great photo with nothing to fix', () => {
    expect(explain(score(90, {}, 'great'), 'en')).toEqual({ great: true, headline: TEMPLATES.en.great, reasons: [] });
    expect(explain(score(55, {}, 'ok'), 'en').great).toBe(false);
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
});
