// The UI's one door to the explanation module, so components depend on this shape only.
import type { Score } from '../core/aspects';
import { checkPhoto, explain, findNearDuplicates, rankCover } from '../core/explain';
import type { Photo } from '../store';
import type { Locale } from '../core/locale';

export type { Advice } from '../core/explain';

export function adviceFor(score: Score, locale: Locale) {
  return { ...explain(score, locale), checks: checkPhoto(score, locale) };
}

/** The id of the photo the coach recommends as cover, or null when none is scored yet. */
export function recommendedCoverId(ordered: Photo[]): string | null {
  const i = rankCover(ordered.map((p) => (p.state === 'done' ? p.score : undefined)));
  return i >= 0 ? ordered[i].id : null;
}

/**
 * Photos that repeat an earlier shot: id → the 1-based place of the earlier photo. A listing
 * gains nothing from the same view twice; the later one is the one to replace.
 */
export function sameShots(ordered: Photo[]): Map<string, number> {
  const out = new Map<string, number>();
  const prints = ordered.map((p) => (p.state === 'done' ? p.score?.fingerprint : undefined));
  for (const [i, j] of findNearDuplicates(prints)) if (!out.has(ordered[j].id)) out.set(ordered[j].id, i + 1);
  return out;
}
