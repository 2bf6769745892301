import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LABELLED_ASPECTS, type LabelledAspectId } from '../../src/core/aspects';
import { jpegOrientation } from '../../src/core/image/exif';
import { hash32, rng, shuffled } from './rng';

export const DATA_DIR = process.env.PHOTO_COACH_DATA ?? join(import.meta.dirname, '../../../shared/data');
export const BIQ_DIR = join(DATA_DIR, 'biq2021');

export interface Row {
  image: string;
  mos: number;
  subset: string;
}

/** train.csv or val.csv of BIQ2021 (the official test split is evaluation-only and not used). */
export function readSplit(split: 'train' | 'val'): Row[] {
  const file = join(BIQ_DIR, `${split}.csv`);
  if (!existsSync(file)) throw new Error(`${file} is missing: the rated photos come from ../shared/data/biq2021 beside the project (../shared/data/README.md)`);
  const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  return lines.slice(1).map((line) => {
    const [image, mos, subset] = line.split(',');
    return { image, mos: Number(mos), subset };
  });
}

export interface Job {
  key: string;
  split: 'train' | 'val';
  image: string;
  subset: string;
  mos: number | null; // null for degraded copies: people never rated them
  aspect: LabelledAspectId | null;
  strength: number;
  seed: number;
  /** Quarter turns clockwise applied before anything else (sideways copies; 2 only in UPSIDE_DOWN_PLAN); absent = 0. */
  turn?: 1 | 2 | 3;
  /**
   * The photo as its file stores it, the EXIF orientation not applied: the pixels the step-by-step
   * labels judged (aspect-head.ts `judgedRow`). Planned only for photos whose orientation turns them.
   */
  stored?: true;
}

export const PLAN = { seed: 20261124, trainPerAspect: 110, valPerAspect: 40, trainTurned: 300, valTurned: 60 };

/**
 * Upside-down copies, for the head's orientation output: which of a sideways photo's two turns
 * is upright. Their own plan and feature folder (features-upside-down/), so no other fit or
 * figure ever reads them as photos.
 */
export const UPSIDE_DOWN_PLAN = { seed: PLAN.seed + 5, train: 1200, val: 200 };

export function planUpsideDownJobs(): Job[] {
  return (['train', 'val'] as const).flatMap((split) =>
    shuffled(readSplit(split), UPSIDE_DOWN_PLAN.seed + (split === 'train' ? 0 : 1))
      .slice(0, UPSIDE_DOWN_PLAN[split])
      .map((r): Job => ({ key: `${split}|${r.image}|upside-down`, split, image: r.image, subset: r.subset, mos: null, aspect: null, strength: 0, seed: 0, turn: 2 })),
  );
}

/** Every feature row training and evaluation need, in a fixed order. */
export function planJobs(): Job[] {
  const jobs: Job[] = [];
  for (const split of ['val', 'train'] as const) {
    for (const r of readSplit(split)) {
      jobs.push({ key: `${split}|${r.image}|clean`, split, image: r.image, subset: r.subset, mos: r.mos, aspect: null, strength: 0, seed: 0 });
    }
  }
  for (const split of ['train', 'val'] as const) {
    const per = split === 'train' ? PLAN.trainPerAspect : PLAN.valPerAspect;
    const rows = shuffled(readSplit(split), PLAN.seed + (split === 'train' ? 1 : 2));
    LABELLED_ASPECTS.forEach((aspect, a) => {
      for (const r of rows.slice(a * per, (a + 1) * per)) {
        const seed = hash32(`${split}|${r.image}|${aspect}`);
        const strength = rng(seed)();
        jobs.push({ key: `${split}|${r.image}|${aspect}`, split, image: r.image, subset: r.subset, mos: null, aspect, strength, seed });
      }
    });
  }
  // Sideways copies (a quarter turn either way): the evidence for telling a turned photo from a
  // level one, which the tilt measurements cannot see (they fold angles to the nearest axis).
  // Appended last so the rows planned before keep their place in the extraction parts.
  for (const split of ['train', 'val'] as const) {
    const per = split === 'train' ? PLAN.trainTurned : PLAN.valTurned;
    for (const r of shuffled(readSplit(split), PLAN.seed + (split === 'train' ? 3 : 4)).slice(0, per)) {
      const seed = hash32(`${split}|${r.image}|turned`);
      const turn = rng(seed)() < 0.5 ? 1 : 3;
      jobs.push({ key: `${split}|${r.image}|turned`, split, image: r.image, subset: r.subset, mos: null, aspect: null, strength: 0, seed, turn });
    }
  }
  // The photos as stored, for the ones an EXIF orientation turns: appended last, as above.
  for (const split of ['train', 'val'] as const) {
    for (const r of readSplit(split).filter((r) => storedTurned(r.image))) {
      jobs.push({ key: `${split}|${r.image}|stored`, split, image: r.image, subset: r.subset, mos: null, aspect: null, strength: 0, seed: 0, stored: true });
    }
  }
  return jobs;
}

const orientations = new Map<string, number>();

/** A data set photo's EXIF orientation (1–8; 1 where its file has none or is not there), read once per photo. */
export function orientationOf(image: string): number {
  let o = orientations.get(image);
  if (o === undefined) {
    const file = join(BIQ_DIR, 'images', image);
    o = existsSync(file) ? jpegOrientation(new Uint8Array(readFileSync(file))) : 1;
    orientations.set(image, o);
  }
  return o;
}

/**
 * Whether a photo's file stores it turned, to be set upright by its EXIF orientation. The
 * step-by-step labels judged the stored pixels, so for these photos they describe a turned
 * photo (most say "sideways"), while the coach, like every browser, shows them upright.
 */
export const storedTurned = (image: string): boolean => orientationOf(image) !== 1;

/** Target severity of a degraded copy: even the mildest synthetic defect is clearly visible. */
export function severityOf(strength: number): number {
  return 0.4 + 0.6 * strength;
}
