import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jpegOrientation } from '../../src/core/image/exif';
import { BIQ_DIR, planJobs, readSplit } from '../../tools/model/dataset';
import { jobPixels, quarterTurns } from '../../tools/model/extract';

// The step-by-step labels judged the photos as their files store them: the plan has a row of
// each photo as stored wherever an EXIF orientation turns it, and only there.

const missing = [join(BIQ_DIR, 'images'), join(BIQ_DIR, 'train.csv')].filter((p) => !existsSync(p));

describe.skipIf(missing.length > 0)(`photos stored turned${missing.length ? ` (skipped: ${missing.join(', ')} missing; set PHOTO_COACH_DATA)` : ''}`, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('plans a stored row for exactly the photos whose EXIF orientation turns them', () => {
    const stored = new Set(
      planJobs()
        .filter((j) => j.stored)
        .map((j) => `${j.split}|${j.image}`),
    );
    const turned = (['train', 'val'] as const).flatMap((split) =>
      readSplit(split)
        .filter((r) => jpegOrientation(new Uint8Array(readFileSync(join(BIQ_DIR, 'images', r.image)))) !== 1)
        .map((r) => `${split}|${r.image}`),
    );
    expect(turned.length).toBeGreaterThan(0);
    expect([...stored].sort()).toEqual(turned.sort());
  });

  it("decodes a stored row as the file stores it: the upright photo is it turned by the orientation's quarter turns", async () => {
    const job = planJobs().find((j) => j.stored)!;
    const upright = planJobs().find((j) => j.image === job.image && j.split === job.split && !j.stored && !j.aspect && !j.turn)!;
    const o = jpegOrientation(new Uint8Array(readFileSync(join(BIQ_DIR, 'images', job.image))));
    const turns = { 3: 2, 6: 1, 8: 3 }[o as 3 | 6 | 8];
    expect(turns).toBeDefined();
    const asStored = await jobPixels(job, []);
    const shown = await jobPixels(upright, []);
    // BIQ2021's photos are square: the pixels, not the shape, tell the two apart
    expect(tf.max(tf.abs(tf.sub(asStored, shown))).dataSync()[0]).toBeGreaterThan(0);
    const back = quarterTurns(asStored, turns);
    expect(back.shape).toEqual(shown.shape);
    expect(tf.max(tf.abs(tf.sub(back, shown))).dataSync()[0]).toBe(0);
    tf.dispose([back, shown]);
  });
});
