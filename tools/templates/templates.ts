// npm run templates -- --help
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flagNumber, parseArgs } from '../lib/cli';
import { loadBiqLabels, loadLabels, loadShared, mine, type MineResult } from './mine';
import { LABELS_FILE } from '../model/labels';
import { DATA_DIR } from '../model/dataset';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const HELP = `Mine rationale corpora into per-aspect, per-severity phrase clusters.

Usage: npm run templates -- [options]

  --data DIR          shared rationale corpora (default $PHOTO_COACH_DATA/rationales, else
                      ../shared/data/rationales)
  --no-shared         skip the shared corpora
  --labels A,B        our labelling JSONL files (tools/label output)
  --biq-labels FILE   step-by-step labels of BIQ2021 photos, train rows
                      (default ../shared/data/labels/biq2021-llm.jsonl, when present)
  --out DIR           where clusters.json, candidates.json and summary.json go
                      (default tools/templates/out)
  --top N             families and clusters to print per corpus (default 8)
  --max-clusters N    clusters per corpus, topic and band (default 8)
  --min-support N     smallest cluster (default 3)
  --json              print summary.json to stdout instead of the text report
  --help

Counts: "rationales" is how many rationales mention a family at least once; "sentences" how many
sentences (clauses for free text, notes for per-distortion files) do. Families marked "-" are not
seller aspects (compression, resampling artefacts, letterboxing, scanning).`;

export function report(result: MineResult, top: number): string {
  const lines: string[] = [];
  for (const c of result.corpora) {
    lines.push(`\n${c.id}: ${c.docs} rationales, ${c.units} topic units  (${c.path})`);
    lines.push(`  ${'family'.padEnd(12)}${'rationales'.padStart(11)}${'sentences'.padStart(11)}${c.annotations ? 'labels'.padStart(8) : ''}  seller aspects`);
    for (const m of c.mentions.slice(0, top)) {
      const ann = c.annotations ? String(c.annotations[m.family] ?? 0).padStart(8) : '';
      lines.push(`  ${m.family.padEnd(12)}${String(m.docs).padStart(11)}${String(m.segments).padStart(11)}${ann}  ${m.aspects.join(', ') || '-'}`);
    }
    const clusters = result.clusters
      .filter((k) => k.corpus === c.id)
      .sort((a, b) => b.support - a.support)
      .slice(0, top);
    lines.push('  top phrasings:');
    for (const k of clusters) lines.push(`  ${String(k.support).padStart(6)}  ${k.topic}/${k.band}  "${k.phrase}"  e.g. ${k.examples[0] ?? ''}`);
  }
  return lines.join('\n');
}

export function main(argv: string[]): number {
  const { flags } = parseArgs(argv, ['help', 'no-shared', 'json']);
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  const data = typeof flags.data === 'string' ? resolve(flags.data) : join(DATA_DIR, 'rationales');
  const labels = typeof flags.labels === 'string' ? flags.labels.split(',').filter(Boolean) : [];
  const biq = typeof flags['biq-labels'] === 'string' ? resolve(flags['biq-labels']) : LABELS_FILE;
  const corpora = [...(flags['no-shared'] ? [] : [...loadShared(data), ...loadBiqLabels(biq)]), ...loadLabels(labels)];
  if (!corpora.length) {
    console.error(`No corpora found (looked in ${data}; --labels not given).`);
    return 1;
  }
  const result = mine(corpora, { maxClusters: flagNumber(flags, 'max-clusters', 8), minSupport: flagNumber(flags, 'min-support', 3) });
  const out = typeof flags.out === 'string' ? resolve(flags.out) : join(ROOT, 'tools/templates/out');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'clusters.json'), JSON.stringify(result.clusters, null, 1));
  writeFileSync(join(out, 'candidates.json'), JSON.stringify(result.candidates, null, 1));
  writeFileSync(join(out, 'summary.json'), JSON.stringify(result.corpora, null, 1));
  if (flags.json) console.log(JSON.stringify(result.corpora, null, 1));
  else console.log(`${report(result, flagNumber(flags, 'top', 8))}\n\nWrote ${result.clusters.length} clusters to ${out}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
