// Phrase clusters: normalised n-grams, grown greedily. The most widely shared phrasing in a group
// of units becomes a cluster with every unit that uses it; repeat on what is left.
import type { Unit } from './adapters';
import type { Band } from './lexicon';

const STOP = new Set(
  (
    'a an the of in on at to for from by with as and or is are was were be been being it its this that these those ' +
    'which there their image photo picture overall also some has have had can may into than then so such ' +
    // boilerplate of the GPT-4o taxonomy sentences
    'issue issues specifically affect affects affected area areas region regions part parts distortion distortions'
  ).split(' '),
);
/** Words that may open a phrase ("not clear") but never end one ("not very"). */
const END_STOP = new Set('not very quite relatively slightly somewhat too more less rather'.split(' '));

export const tokens = (text: string): string[] => text.toLowerCase().match(/[a-z]+(?:-[a-z]+)?/g) ?? [];

const stems = new Map<string, string>();

/** A crude stemmer: enough to merge blur/blurred/blurry/blurring and dark/darkness. */
export function stem(word: string): string {
  let s = stems.get(word);
  if (s === undefined) {
    s = stemOnce(word);
    stems.set(word, s);
  }
  return s;
}

function stemOnce(word: string): string {
  let w = word.replace(/-/g, '');
  for (const suffix of ['iness', 'ness', 'ing', 'ed', 'ly', 'es', 's', 'y']) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  return w.replace(/([^aeiou])\1$/, '$1');
}

/** n-grams (2–3 words) that neither start nor end with a stop word: key (stems) → surface text. */
export function ngrams(text: string): Map<string, string> {
  const words = tokens(text);
  const out = new Map<string, string>();
  for (let n = 2; n <= 3; n++) {
    for (let i = 0; i + n <= words.length; i++) {
      const g = words.slice(i, i + n);
      if (STOP.has(g[0]) || STOP.has(g[n - 1]) || END_STOP.has(g[n - 1])) continue;
      out.set(g.map(stem).join(' '), g.join(' '));
    }
  }
  return out;
}

export interface Cluster {
  /** Stable id: corpus/topic/band/phrase-key. */
  id: string;
  corpus: string;
  topic: string;
  band: Band;
  /** The most common wording of the cluster's key phrase. */
  phrase: string;
  /** Units (sentences or clauses) in the cluster. */
  support: number;
  /** Distinct rationales the units come from. */
  sources: string[];
  /** A few short, whole examples. */
  examples: string[];
}

export interface ClusterOptions {
  maxClusters: number;
  minSupport: number;
}

/** Clusters one group of units (same corpus, topic and band). */
export function clusterGroup(units: Unit[], { maxClusters, minSupport }: ClusterOptions): Cluster[] {
  if (!units.length) return [];
  const { corpus, topic, band } = units[0];
  const grams = units.map((u) => ngrams(u.text));
  const left = new Set(units.map((_, i) => i));
  const clusters: Cluster[] = [];
  while (clusters.length < maxClusters && left.size) {
    const count = new Map<string, number>();
    for (const i of left) for (const k of grams[i].keys()) count.set(k, (count.get(k) ?? 0) + 1);
    let best = '';
    let bestN = 0;
    for (const [k, n] of count) if (n > bestN || (n === bestN && k < best)) [best, bestN] = [k, n];
    if (bestN < minSupport) break;
    const members = [...left].filter((i) => grams[i].has(best));
    members.forEach((i) => left.delete(i));
    const surface = new Map<string, number>();
    for (const i of members) {
      const s = grams[i].get(best)!;
      surface.set(s, (surface.get(s) ?? 0) + 1);
    }
    const phrase = [...surface].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
    const texts = [...new Set(members.map((i) => units[i].text))].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
    clusters.push({
      id: `${corpus}/${topic}/${band}/${best.replace(/ /g, '-')}`,
      corpus,
      topic,
      band,
      phrase,
      support: members.length,
      sources: [...new Set(members.map((i) => units[i].doc))].sort(),
      examples: texts.filter((t) => t.length >= 25).slice(0, 3),
    });
  }
  return clusters;
}

/** Groups units by corpus, topic and band and clusters each group. */
export function clusterUnits(units: Unit[], options: ClusterOptions): Cluster[] {
  const groups = new Map<string, Unit[]>();
  for (const u of units) {
    const key = `${u.corpus}\0${u.topic}\0${u.band}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(u);
  }
  return [...groups.keys()].sort().flatMap((k) => clusterGroup(groups.get(k)!, options));
}
