import type { Score } from '../../src/core/aspects';
import { CoachError } from '../../src/core/errors';
import { boxAt, cropAround, cropPixels, DETECTED, locateItem, MIN_CROP_GAIN } from '../../src/core/fix/crop';
import { handCropOf, nudgeCrop } from '../../src/core/fixes';
import { applyPlan, planFixes } from '../../src/core/fix/plan';
import { fixedSize, fixPixels, itemCrop, type ScorePixels } from '../../src/core/fix/preview';
import type { Pixels } from '../../src/core/image/views';
import { makeScore } from './helpers/fake-engine';

/** A plain backdrop with a little grain, and a textured item in the rectangle [x0, x1) × [y0, y1). */
function itemOn(w: number, h: number, [x0, y0, x1, y1]: [number, number, number, number]): Pixels {
  const data = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const p = (y * w + x) * 3;
      const inside = x >= x0 && x < x1 && y >= y0 && y < y1;
      const grain = ((x * 7 + y * 13) % 5) - 2;
      const v = inside ? [180, 40, 30].map((c) => c + (((x >> 2) + (y >> 2)) % 3)) : [200 + grain, 200 + grain, 195 + grain];
      data.set(v, p);
    }
  return { data, width: w, height: h, channels: 3 };
}

/** Busy from edge to edge: a scene, not an item on a backdrop. */
function scene(w: number, h: number): Pixels {
  const data = new Float32Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const [x, y] = [i % w, Math.floor(i / w)];
    const v = 40 + (((x >> 3) * 53 + (y >> 3) * 97) % 180);
    data.set([v, (v * 7) % 255, 255 - v], i * 3);
  }
  return { data, width: w, height: h, channels: 3 };
}

/** What a detector would say of the item in itemOn(300, 200, [120, 60, 180, 140]): a box on part of it. */
const PART = [{ box: { x: 0.42, y: 0.32, width: 0.1, height: 0.2 }, score: 0.8 }];

describe('crop to the item', () => {
  it('takes the detector’s box as far as the item reaches, and nothing without a box, a sure one, or with a speck', () => {
    const px = itemOn(300, 200, [120, 60, 180, 140]);
    const item = locateItem(px, PART)!;
    expect(item.x).toBeCloseTo(120 / 300, 1);
    expect(item.x + item.width).toBeCloseTo(180 / 300, 1);
    expect(item.y).toBeCloseTo(60 / 200, 1);
    expect(item.y + item.height).toBeCloseTo(140 / 200, 1);
    expect(locateItem(px, [])).toBeNull();
    expect(locateItem(px, [{ ...PART[0], score: DETECTED - 0.01 }])).toBeNull();
    expect(locateItem(px, [{ box: { x: 0.5, y: 0.5, width: 0.05, height: 0.05 }, score: 0.9 }])).toBeNull();
    // in a scene busy to its edges nothing stands out from them: the box stays the detector's (to the grid's cells)
    const busy = locateItem(scene(300, 200), PART)!;
    expect(busy.x).toBeCloseTo(PART[0].box.x, 1);
    expect(busy.width).toBeCloseTo(PART[0].box.width, 1);
    expect(busy.height).toBeCloseTo(PART[0].box.height, 1);
  });

  it('crops around the item with its margin at the site’s shape, or not at all', () => {
    const frame = { width: 1200, height: 800 };
    const item = { x: 0.45, y: 0.4, width: 0.1, height: 0.2 };
    const square = cropAround(item, frame, 1, 0.1)!;
    expect(square.width * frame.width).toBeCloseTo(square.height * frame.height);
    // the item and its margin (a tenth of its longer side, 160 px) are inside
    expect(square.x * frame.width).toBeLessThanOrEqual(0.45 * 1200 - 16);
    expect((square.x + square.width) * frame.width).toBeGreaterThanOrEqual(0.55 * 1200 + 16);
    expect(square.y * frame.height).toBeLessThanOrEqual(0.4 * 800 - 16);
    expect((square.y + square.height) * frame.height).toBeGreaterThanOrEqual(0.6 * 800 + 16);
    const wide = cropAround(item, frame, 16 / 9, 0.1)!;
    expect((wide.width * frame.width) / (wide.height * frame.height)).toBeCloseTo(16 / 9);
    // near an edge, slid back inside the frame, the item still whole
    const corner = cropAround({ x: 0.01, y: 0.02, width: 0.1, height: 0.1 }, frame, 1, 0.1)!;
    expect(corner.x).toBe(0);
    expect(corner.y).toBe(0);
    // an item as tall as the frame cannot be cropped square and kept whole; one that fills most of it is not worth a crop
    expect(cropAround({ x: 0.3, y: 0, width: 0.2, height: 1 }, frame, 1, 0.1)).toBeNull();
    expect(cropAround({ x: 0.05, y: 0.05, width: 0.9, height: 0.9 }, { width: 1000, height: 1000 }, 1, 0.02)).toBeNull();
    const almost = cropAround({ x: 0.1, y: 0.1, width: 0.8, height: 0.8 }, { width: 1000, height: 1000 }, 1, 0.05);
    expect(almost === null || almost.width * almost.height <= 1 - MIN_CROP_GAIN).toBe(true);
  });

  it('plans the crop last, only where the caller chose one, and applies it', () => {
    const px = itemOn(300, 200, [120, 60, 180, 140]);
    expect(planFixes(px, ['crop']).fixes).toEqual([]);
    const plan = planFixes(px, ['crop', 'exposure'], { crop: cropAround(locateItem(px, PART)!, px, 1, 0.12)! });
    expect(plan.fixes.at(-1)).toBe('crop');
    const fixed = applyPlan(px, plan);
    const size = fixedSize(300, 200, plan);
    expect([fixed.width, fixed.height]).toEqual([size.width, size.height]);
    expect(fixed.width).toBe(fixed.height);
    expect(fixed.width).toBeLessThan(200);
    // the item's red is in the middle of the crop, the backdrop at its corner
    const at = (x: number, y: number) => [0, 1, 2].map((c) => fixed.data[(y * fixed.width + x) * 4 + c]);
    const mid = at(fixed.width >> 1, fixed.height >> 1);
    expect(mid[0] - mid[2]).toBeGreaterThan(100);
    expect(Math.abs(at(1, 1)[0] - at(1, 1)[2])).toBeLessThan(20);
  });

  it('offers the crop the model finds better framed, never one it scores lower', async () => {
    const px = itemOn(300, 200, [120, 60, 180, 140]);
    const size = { width: 3000, height: 2000 };
    // a model that finds a smaller frame better framed (as it does for a small item), and scores it…
    const byArea =
      (overall: (kept: number) => number): ScorePixels =>
      async (p) => {
        const kept = (p.width * p.height) / (300 * 200);
        return makeScore(overall(kept), { framing: 0.2 + 0.5 * kept }) as Score;
      };
    const locate = async () => PART;
    const better = await itemCrop({ score: byArea(() => 60), locate }, px, size, 1);
    expect(better).not.toBeNull();
    // …the tightest of the margins wins, at the site's shape
    const tight = cropAround(locateItem(px, PART)!, size, 1, 0.06)!;
    expect(better!.width).toBeCloseTo(tight.width);
    // …but not where the score falls, nor where the locator finds nothing
    expect(await itemCrop({ score: byArea((kept) => 40 + 20 * kept), locate }, px, size, 1)).toBeNull();
    expect(await itemCrop({ score: byArea(() => 60), locate: async () => [] }, px, size, 1)).toBeNull();
    await expect(itemCrop({ score: byArea(() => 60) }, px, size, 1)).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED' });
    // a crop asked for where there is no item starts where the seller's would
    const none = { score: byArea(() => 50), locate: async () => [] };
    const fallback = await fixPixels(none, px, size, ['crop'], { hand: { cropIfNoItem: { size: 0.9, cx: 0.5, cy: 0.5 } } });
    expect(fallback.plan.crop).toEqual(boxAt(size, 1, 0.9));
    expect((await fixPixels(none, px, size, ['crop'])).plan.fixes).toEqual([]);
    // …and where the locator cannot be loaded: the crop by hand still starts, nothing else is lost
    const broken = {
      score: byArea(() => 50),
      locate: async () => {
        throw new CoachError('MODEL_LOAD_FAILED', 'locator/model.json answered 404');
      },
    };
    expect((await fixPixels(broken, px, size, ['crop'], { hand: { cropIfNoItem: { size: 0.9, cx: 0.5, cy: 0.5 } } })).plan.crop).toEqual(boxAt(size, 1, 0.9));
    await expect(fixPixels(broken, px, size, ['crop'])).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED' });
    // a crop by hand replaces the model's: the largest square, centred where the seller put it
    const hand = await fixPixels({ score: byArea(() => 50) }, px, size, [], { hand: { crop: { size: 0.5, cx: 0.25, cy: 0.5 } } });
    expect(hand.plan.fixes).toEqual(['crop']);
    expect(hand.plan.crop).toEqual(boxAt(size, 1, 0.5, 0.25, 0.5));
    expect(hand.frame).toEqual(size);
    expect(fixedSize(size.width, size.height, hand.plan)).toEqual({ width: 1000, height: 1000 });
  });

  it('moves and resizes a crop by hand from where it is, inside the photo', () => {
    const frame = { width: 800, height: 600 };
    const box = boxAt(frame, 1, 0.5, 0.5, 0.5);
    expect(box.width * 800).toBeCloseTo(300);
    const hand = handCropOf(box, frame, 1);
    expect(hand.size).toBeCloseTo(0.5);
    expect(hand.cx).toBeCloseTo(0.5);
    expect(nudgeCrop(hand, 'tighter').size).toBeLessThan(hand.size);
    expect(nudgeCrop({ ...hand, size: 0.95 }, 'wider').size).toBe(1);
    expect(nudgeCrop(hand, 'left').cx).toBeLessThan(hand.cx);
    expect(nudgeCrop(hand, 'down').cy).toBeGreaterThan(hand.cy);
    // a centre pushed past the edge: the box stays inside
    const edge = boxAt(frame, 1, 0.5, 0, 0);
    expect([edge.x, edge.y]).toEqual([0, 0]);
    const cropped = cropPixels(itemOn(80, 60, [0, 0, 10, 10]), boxAt({ width: 80, height: 60 }, 1, 1));
    expect([cropped.width, cropped.height]).toEqual([60, 60]);
  });
});
