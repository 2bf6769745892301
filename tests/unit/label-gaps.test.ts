import { LABELLED_ASPECTS } from '../../src/core/aspects';
import { labelGaps, pointsPerMos, type GapPhoto } from '../../tools/model/experiments/label-gaps';

const sev = (over: Partial<Record<(typeof LABELLED_ASPECTS)[number], number>> = {}) => Object.assign(Object.fromEntries(LABELLED_ASPECTS.map((a) => [a, 0.1])), over) as GapPhoto['sev'];

describe('label gaps', () => {
  it('holds each flagged photo against the unflagged ones of its subset and overall', () => {
    const photos: GapPhoto[] = [];
    // ss01 overall 3: unflagged at 0.5 ± 0.01; tilted ones 0.1 above, blurred ones 0.2 below
    for (let i = 0; i < 10; i++) photos.push({ subset: 'ss01', overall: 3, mos: 0.5 + (i % 2 ? 0.01 : -0.01), sev: sev() });
    for (let i = 0; i < 4; i++) photos.push({ subset: 'ss01', overall: 3, mos: 0.6, sev: sev({ tilt: 0.5 }) });
    for (let i = 0; i < 4; i++) photos.push({ subset: 'ss01', overall: 3, mos: 0.3, sev: sev({ blur: 0.6 }) });
    // ss02 overall 3 has no unflagged photos to match: its tilted photo is left out
    photos.push({ subset: 'ss02', overall: 3, mos: 0.9, sev: sev({ tilt: 0.4 }) });
    const [tilt, blur] = labelGaps(photos, ['tilt', 'blur'], { resamples: 200 });
    expect(tilt).toMatchObject({ aspect: 'tilt', flagged: 5, matched: 4 });
    // the blurred photos are unflagged for tilt, so they sit among tilt's matches
    const tiltPool = (10 * 0.5 + 4 * 0.3) / 14;
    expect(tilt.gap).toBeCloseTo(0.6 - tiltPool, 6);
    expect(blur).toMatchObject({ flagged: 4, matched: 4 });
    expect(blur.gap).toBeCloseTo(0.3 - (10 * 0.5 + 4 * 0.6) / 14, 6);
    for (const g of [tilt, blur]) {
      expect(g.low).toBeLessThanOrEqual(g.gap + 1e-9);
      expect(g.high).toBeGreaterThanOrEqual(g.gap - 1e-9);
    }
  });

  it('needs as many matches as asked for, and says NaN where none qualify', () => {
    const photos: GapPhoto[] = [...Array.from({ length: 3 }, () => ({ subset: 'ss01', overall: 2, mos: 0.4, sev: sev() })), { subset: 'ss01', overall: 2, mos: 0.5, sev: sev({ noise: 0.7 }) }];
    expect(labelGaps(photos, ['noise'], { minMatches: 3 })[0].gap).toBeCloseTo(0.1, 6);
    const none = labelGaps(photos, ['noise'], { minMatches: 4 })[0];
    expect(none).toMatchObject({ flagged: 1, matched: 0 });
    expect(none.gap).toBeNaN();
  });

  it('converts MOS to score points over the 2nd to 98th percentile', () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ image: `${i}.jpg`, subset: 'ss01', mos: i / 100 }));
    // the 2nd and 98th of 0.00 … 0.99 are 0.02 and 0.98
    expect(pointsPerMos(rows)).toBeCloseTo(100 / 0.96, 6);
  });
});
