import { ASPECTS } from '../../src/core/aspects';
import type { ModelCard } from '../../src/core/model/bundle';
import { toScore } from '../../src/core/model/calibration';
import { fitSidewaysPenalty, SIDEWAYS_PENALTY_RAMP } from '../../tools/model/sideways-penalty';

const card: ModelCard = {
  version: 't',
  aspects: [...ASPECTS],
  bands: { great: 70, ok: 40 },
  calibration: { lo: 0, hi: 1 },
  backbone: { path: 'b', input: [320, 320], outputs: [] },
  head: { path: 'h', features: 6 },
};
const withPenalty: ModelCard = { ...card, penalty: { sideways: { points: 12, from: 0.25, to: 0.35 } } };
const raw = (quality: number, sideways: number) => [quality, ...ASPECTS.map((a) => (a === 'sideways' ? sideways : 0.1))];

describe('the score of a photo lying on its side', () => {
  it('loses the card’s points from the flag up, part of them on the ramp below it, none without a penalty', () => {
    expect(toScore(raw(0.5, 0.6), card, 10, 10).overall).toBe(50);
    expect(toScore(raw(0.5, 0.6), withPenalty, 10, 10).overall).toBe(38);
    expect(toScore(raw(0.5, 0.35), withPenalty, 10, 10).overall).toBe(38);
    expect(toScore(raw(0.5, 0.3), withPenalty, 10, 10).overall).toBe(44);
    expect(toScore(raw(0.5, 0.25), withPenalty, 10, 10).overall).toBe(50);
    // the band follows the score the seller sees, and the score stays within 0–100
    expect(toScore(raw(0.5, 0.6), withPenalty, 10, 10).band).toBe('needs_work');
    expect(toScore(raw(0.05, 0.9), withPenalty, 10, 10).overall).toBe(0);
    // the severity itself is untouched
    expect(toScore(raw(0.5, 0.6), withPenalty, 10, 10).aspects.sideways).toBe(0.6);
  });
});

describe('fitting the sideways penalty (tools/model/sideways-penalty.ts)', () => {
  const upright = [1, 1, 2, 2, 3].flatMap((overall, i) => [
    { score: 10 * overall + i, overall, sideways: false },
    { score: 10 * overall - i, overall, sideways: false },
  ]);

  it('is the mean gap between each sideways photo and the upright photos its label rates the same', () => {
    // upright means: overall 1 → 10.5 and 9.5 → 10; overall 2 → 20; overall 3 → 30
    const sideways = [
      { score: 22, overall: 1, sideways: true },
      { score: 26, overall: 2, sideways: true },
      { score: 99, overall: 5, sideways: true }, // no upright photo rated 5: left out
    ];
    const fit = fitSidewaysPenalty([...upright, ...sideways]);
    expect(fit.penalty.sideways).toEqual({ points: 9, ...SIDEWAYS_PENALTY_RAMP });
    expect(fit).toMatchObject({ sidewaysPhotos: 2, uprightPhotos: 10 });
  });

  it('takes nothing off where sideways photos score no higher than their upright peers, and says when it cannot tell', () => {
    expect(fitSidewaysPenalty([...upright, { score: 5, overall: 2, sideways: true }]).penalty.sideways.points).toBe(0);
    expect(() => fitSidewaysPenalty(upright)).toThrow(/no labelled sideways photo/);
  });
});
