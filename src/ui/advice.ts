// The UI's one door to the explanation module, so components depend on this shape only.
import type { Score } from '../core/aspects';
import { checkPhoto, explain, rankCover } from '../core/explain';
import type { Photo } from '../store';
import type { Locale } from './i18n';

export type { Advice } from '../core/explain';

export function adviceFor(score: Score, locale: Locale) {
  return { ...explain(score, locale), checks: checkPhoto(score, locale) };
}

/** The id of the photo the coach recommends as cover, or null when none is scored yet. */
export function recommendedCoverId(ordered: Photo[]): string | null {
  const i = rankCover(ordered.map((p) => (p.state === 'done' ? p.score : undefined)));
  return i >= 0 ? ordered[i].id : null;
}
