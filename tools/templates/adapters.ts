// Corpus adapters: each turns one rationale file into units (one clause about one topic, with a
// severity band and its source id) and a tally of which distortion families it mentions.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { readLabels, saysSideways, type LabelProblem } from '../model/labels';
import { bandFromSeverity, bandFromWording, FAMILY_NAMES, namedTopics, problemTopics, TOPIC_BY_ID, type Band, type Family, type Topic } from './lexicon';

export interface Unit {
  corpus: string;
  /** The rationale it came from (image file name, plus note or conversation where one image has several). */
  doc: string;
  /** The sentence or clause within it. */
  seg: string;
  topic: string;
  band: Band;
  text: string;
}

export interface Mentions {
  /** Rationales that mention the family at least once. */
  docs: number;
  /** Sentences (or clauses, or notes) that mention it. */
  segments: number;
}

export interface Corpus {
  id: string;
  path: string;
  /** Rationales read. */
  docs: number;
  units: Unit[];
  mentions: Partial<Record<Family, Mentions>>;
  /** Distortion labels attached by people (GPT-4o assessments only), per family. */
  annotations?: Partial<Record<Family, number>>;
}

export const sentences = (text: string): string[] =>
  text
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter(Boolean);

export const clauses = (sentence: string): string[] =>
  sentence
    .split(/[,;:]|\s(?:but|while|whereas|although|though|however)\s/i)
    .map((s) => s.trim())
    .filter(Boolean);

class Tally {
  private docs = new Map<Family, Set<string>>();
  private segs = new Map<Family, number>();
  add(doc: string, families: Iterable<Family>) {
    for (const f of new Set(families)) {
      if (!this.docs.has(f)) this.docs.set(f, new Set());
      this.docs.get(f)!.add(doc);
      this.segs.set(f, (this.segs.get(f) ?? 0) + 1);
    }
  }
  result(): Partial<Record<Family, Mentions>> {
    return Object.fromEntries([...this.docs].map(([f, d]) => [f, { docs: d.size, segments: this.segs.get(f)! }]));
  }
}

const familiesNamed = (text: string) => (Object.keys(FAMILY_NAMES) as Family[]).filter((f) => FAMILY_NAMES[f]!.test(text));

/**
 * The wording that belongs to each topic a sentence names: the whole sentence when it names one
 * topic, else only the clauses that name it, so "low clarity ... and visible noise" does not put
 * "low clarity" among the noise phrasings.
 */
export function topicText(sentence: string, find: (text: string) => Topic[]): [Topic, string][] {
  const topics = find(sentence);
  if (topics.length <= 1) return topics.map((t) => [t, sentence]);
  const parts = clauses(sentence).map((c) => [c, find(c)] as const);
  return topics.map((t) => [
    t,
    parts
      .filter(([, ts]) => ts.includes(t))
      .map(([c]) => c)
      .join(', ') || sentence,
  ]);
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

interface Assessment {
  filename: string;
  level: string;
  global?: Record<string, unknown>;
  local?: Record<string, unknown>;
  assessment?: string;
  assessment_split: string;
}

/**
 * GPT-4o step-by-step assessments: paragraph 1 describes content (skipped: "a blurred face" there
 * is content, not quality), then global and local distortions, a summary and the verdict.
 * Records without a final `assessment` were cut off and are skipped.
 */
export function gpt4oAssessments(path: string, id = 'gpt4o_assessments'): Corpus {
  const rows = readJson(path) as Assessment[];
  const units: Unit[] = [];
  const tally = new Tally();
  const annotations: Partial<Record<Family, number>> = {};
  let docs = 0;
  for (const r of rows) {
    if (!r.assessment?.trim()) continue;
    docs++;
    for (const key of [...Object.keys(r.global ?? {}), ...Object.keys(r.local ?? {})]) {
      for (const f of familiesNamed(key)) annotations[f] = (annotations[f] ?? 0) + 1;
    }
    const fallback: Band = r.level === 'bad' || r.level === 'poor' ? 'strong' : 'mild';
    r.assessment_split
      .split(/\n\s*\n/)
      .slice(1)
      .forEach((para, p) => {
        sentences(para).forEach((text, s) => {
          const seg = `p${p + 1}s${s}`;
          tally.add(r.filename, familiesNamed(text));
          for (const [t, own] of topicText(text, namedTopics)) {
            units.push({ corpus: id, doc: r.filename, seg, topic: t.id, band: bandFromWording(own) ?? fallback, text: own });
          }
        });
      });
  }
  return { id, path, docs, units, mentions: tally.result(), annotations };
}

interface DistortionNote {
  id: string;
  distortion: string;
  severity?: string;
  'visual manifestation'?: string;
  'perception impact'?: string;
}

/** GPT-4o per-distortion notes: the label names the topic, the severity field gives the band. */
export function gpt4oDistortionInfo(path: string, id = `gpt4o_distortion_info/${basename(path, '.json')}`): Corpus {
  const rows = readJson(path) as { image: string; distortions?: DistortionNote[] }[];
  const units: Unit[] = [];
  const tally = new Tally();
  let docs = 0;
  for (const r of rows) {
    for (const d of r.distortions ?? []) {
      docs++;
      const doc = `${r.image}#${d.id}`;
      tally.add(doc, familiesNamed(d.distortion));
      const band: Band = /severe/i.test(d.severity ?? '') ? 'strong' : 'mild';
      const topics = namedTopics(d.distortion);
      for (const field of ['visual manifestation', 'perception impact'] as const) {
        sentences(d[field] ?? '').forEach((text, s) => {
          for (const t of topics) units.push({ corpus: id, doc, seg: `${field === 'visual manifestation' ? 'vm' : 'pi'}${s}`, topic: t.id, band, text });
        });
      }
    }
  }
  return { id, path, docs, units, mentions: tally.result() };
}

/** The verdict that ends a Q-Pathway description, as a fallback band for clauses without degree words. */
function verdictBand(text: string): Band {
  const all = sentences(text);
  return /\b(poor|bad|low|below average|unacceptable|terrible)\b/i.test(all[all.length - 1] ?? '') ? 'strong' : 'mild';
}

/** Human-written Q-Pathway descriptions: free text, so topics come from problem wording per clause. */
export function qPathway(path: string, id = 'q_pathway_human'): Corpus {
  const rows = readJson(path) as Record<string, unknown>[];
  const units: Unit[] = [];
  const tally = new Tally();
  let docs = 0;
  for (const r of rows) {
    for (const [key, turns] of Object.entries(r)) {
      if (!key.startsWith('conversation') || !Array.isArray(turns)) continue;
      for (const turn of turns as { from: string; value: string }[]) {
        if (turn.from !== 'gpt') continue;
        docs++;
        const doc = `${r.image as string}#${key}`;
        const fallback = verdictBand(turn.value);
        sentences(turn.value).forEach((sentence, s) => {
          clauses(sentence).forEach((text, c) => {
            const topics = problemTopics(text);
            tally.add(
              doc,
              topics.map((t) => t.family),
            );
            for (const t of topics) units.push({ corpus: id, doc, seg: `s${s}c${c}`, topic: t.id, band: bandFromWording(text) ?? fallback, text });
          });
        });
      }
    }
  }
  return { id, path, docs, units, mentions: tally.result() };
}

/** Our own labelling JSONL (tools/label): one rationale per aspect, banded by its severity. */
export function labelJsonl(path: string, id = `labels/${basename(path)}`): Corpus {
  const units: Unit[] = [];
  const tally = new Tally();
  let docs = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let rec: { sha256?: string; answer?: { aspects?: Record<string, { severity?: number; rationale?: string }> } };
    try {
      rec = JSON.parse(line);
    } catch {
      continue;
    }
    if (!rec.sha256 || !rec.answer?.aspects) continue;
    docs++;
    for (const [aspect, a] of Object.entries(rec.answer.aspects)) {
      const topic = TOPIC_BY_ID.get(aspect);
      const band = bandFromSeverity(a.severity ?? 0);
      if (!topic || !band || !a.rationale) continue;
      tally.add(rec.sha256, [topic.family]);
      units.push({ corpus: id, doc: rec.sha256, seg: aspect, topic: topic.id, band, text: a.rationale });
    }
  }
  return { id, path, docs, units, mentions: tally.result() };
}

/**
 * The step-by-step labels of BIQ2021 photos (../shared/data/labels): one rationale sentence per
 * flagged aspect, banded by its severity; a tilt sentence of a photo the label says is stored
 * turned belongs to the sideways topic. Train rows only (val rows are for reported figures).
 * Bad lines are skipped and returned as problems, each naming its line.
 */
export function biq2021Labels(path: string, id = 'biq2021-llm'): Corpus & { problems: LabelProblem[] } {
  const read = readLabels(path);
  const units: Unit[] = [];
  const tally = new Tally();
  let docs = 0;
  for (const l of read.labels) {
    if (l.split !== 'train') continue;
    docs++;
    for (const [aspect, text] of Object.entries(l.why) as [string, string][]) {
      const topicId = aspect === 'tilt' && saysSideways(l) ? 'sideways' : aspect;
      const topic = TOPIC_BY_ID.get(topicId);
      const band = bandFromSeverity(l.sev[aspect as keyof typeof l.sev] ?? 0);
      if (!topic || !band || !text) continue;
      tally.add(l.image, [topic.family]);
      units.push({ corpus: id, doc: l.image, seg: aspect, topic: topic.id, band, text });
    }
  }
  return { id, path, docs, units, mentions: tally.result(), problems: [...read.errors, ...read.warnings] };
}
