import type { AspectId } from '../aspects';
import type { Locale } from '../locale';
import en from './templates.en.json';
import ja from './templates.ja.json';

/**
 * Where a template's wording comes from: a phrase cluster mined by `npm run templates` from a
 * rationale corpus, and how many sentences in that cluster use the phrasing.
 */
export interface Provenance {
  corpus: string;
  cluster: string;
  support: number;
  /** Present when the cluster's band differs from the template's. */
  note?: string;
}

/** What the coach says about one aspect: a reason (what is wrong) and a tip (how to retake). */
export interface Template {
  reason: string;
  tip: string;
  provenance: Provenance;
}

/** Severity bands: `mild` from 0.35, `strong` from 0.6 (below 0.35 the aspect is not raised). */
export type SeverityBand = 'mild' | 'strong';

export type Templates = Record<AspectId, Record<SeverityBand, Template>> & {
  /** Praise, for the great band with nothing to fix. */
  great: string;
  /** The ok band with nothing to fix: honest, not praise. */
  fine: string;
  /** The needs-work band with nothing to fix over its threshold. */
  weak: string;
  checks: { tooSmall: string; extremeRatio: string; duplicate: string };
};

/** The templates live as data, one JSON file per locale, so wording changes need no code change. */
export const TEMPLATES: Record<Locale, Templates> = { en, ja };

export function fill(text: string, vars: Record<string, string | number>): string {
  return text.replace(/%\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}
