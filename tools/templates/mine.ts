// From corpora to a mining result: mention counts per distortion family, phrase clusters per
// topic and band, and candidate templates per seller aspect and band.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ASPECTS, type AspectId } from '../../src/core/aspects';
import { biq2021Labels, gpt4oAssessments, gpt4oDistortionInfo, labelJsonl, qPathway, type Corpus, type Mentions } from './adapters';
import { clusterUnits, type Cluster, type ClusterOptions } from './cluster';
import { FAMILIES, TOPICS, type Band, type Family } from './lexicon';

export interface CorpusSummary {
  id: string;
  path: string;
  docs: number;
  units: number;
  /** Families by rationales mentioning them, most first. */
  mentions: ({ family: Family; aspects: AspectId[]; sellerAspect: boolean } & Mentions)[];
  annotations?: Partial<Record<Family, number>>;
}

export interface Candidate {
  aspect: AspectId;
  band: Band;
  /** Clusters that describe this aspect at this band, by support, from every corpus. */
  reasons: { cluster: string; corpus: string; support: number; phrase: string; example: string }[];
}

export interface MineResult {
  corpora: CorpusSummary[];
  clusters: Cluster[];
  candidates: Candidate[];
}

/** Seller aspects each family feeds (none for compression, artefacts, letterboxing, scanning). */
export function familyAspects(f: Family): AspectId[] {
  return [...new Set(TOPICS.filter((t) => t.family === f && t.aspect).map((t) => t.aspect!))];
}

export function summarise(c: Corpus): CorpusSummary {
  const mentions = FAMILIES.filter((f) => c.mentions[f])
    .map((family) => ({ family, aspects: familyAspects(family), sellerAspect: familyAspects(family).length > 0, ...c.mentions[family]! }))
    .sort((a, b) => b.docs - a.docs || b.segments - a.segments);
  return { id: c.id, path: c.path, docs: c.docs, units: c.units.length, mentions, ...(c.annotations && { annotations: c.annotations }) };
}

/** The shared rationale corpora under `root` (../shared/data/rationales), whichever are present. */
export function loadShared(root: string): Corpus[] {
  const base = join(root, 'doi_vllms');
  const out: Corpus[] = [];
  const assess = join(base, 'gpt4o_assessments', 'assessment_final_484_verified.json');
  if (existsSync(assess)) out.push(gpt4oAssessments(assess));
  const infoDir = join(base, 'gpt4o_distortion_info');
  if (existsSync(infoDir)) {
    for (const f of readdirSync(infoDir)
      .filter((n) => n.endsWith('.json'))
      .sort())
      out.push(gpt4oDistortionInfo(join(infoDir, f)));
  }
  const q = join(base, 'q_pathway_human', 'q_pathway_eval.json');
  if (existsSync(q)) out.push(qPathway(q));
  return out;
}

/** The step-by-step labels of real photos, when present; their bad lines go to stderr by line. */
export function loadBiqLabels(path: string): Corpus[] {
  if (!existsSync(path)) return [];
  const corpus = biq2021Labels(path);
  for (const p of corpus.problems) process.stderr.write(`${p.file}:${p.line}: ${p.message}\n`);
  return [corpus];
}

export function loadLabels(paths: string[]): Corpus[] {
  return paths.map((p) => labelJsonl(p));
}

export function mine(corpora: Corpus[], options: ClusterOptions = { maxClusters: 8, minSupport: 3 }): MineResult {
  const clusters = clusterUnits(
    corpora.flatMap((c) => c.units),
    options,
  );
  const topicAspect = new Map(TOPICS.map((t) => [t.id, t.aspect]));
  const candidates: Candidate[] = ASPECTS.flatMap((aspect) =>
    (['mild', 'strong'] as const).map((band) => ({
      aspect,
      band,
      reasons: clusters
        .filter((c) => c.band === band && topicAspect.get(c.topic) === aspect)
        .sort((a, b) => b.support - a.support || (a.id < b.id ? -1 : 1))
        .slice(0, 8)
        .map((c) => ({ cluster: c.id, corpus: c.corpus, support: c.support, phrase: c.phrase, example: c.examples[0] ?? '' })),
    })),
  );
  return { corpora: corpora.map(summarise), clusters, candidates };
}
