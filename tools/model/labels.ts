import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LABELLED_ASPECTS as ASPECTS, type LabelledAspectId as AspectId, type AspectId as AnyAspect } from '../../src/core/aspects';
import { DATA_DIR } from './dataset';

// Step-by-step vision-LLM labels of real BIQ2021 photos (../shared/data/labels/README.md):
// per photo a severity 0–1 per aspect (0.35 = a buyer would notice), the main defect, one
// rationale sentence per flagged aspect and an overall 1–5. Read by `npm run train`,
// `npm run eval` and the templates adapter, all through readLabels.

export const LABELS_DIR = join(DATA_DIR, 'labels');
export const LABELS_FILE = join(LABELS_DIR, 'biq2021-llm.jsonl');
export const CALIBRATION_FILE = join(LABELS_DIR, 'calibration.jsonl');

/** Where the prompt's scale says a buyer would notice the defect. */
export const NOTICE_AT = 0.35;

export interface Label {
  image: string;
  split: 'train' | 'val';
  sev: Record<AspectId, number>;
  main: AspectId | 'none';
  why: Partial<Record<AspectId, string>>;
  overall: number;
  overallWhy: string;
  other: string;
  run: string;
  /** Line in its file (1-based), for messages. */
  line: number;
}

export interface LabelProblem {
  file: string;
  line: number;
  message: string;
}

export interface LabelsRead {
  labels: Label[];
  /** Lines that were not loaded, each with the reason; the rest of the file still loads. */
  errors: LabelProblem[];
  /** A torn last line (an interrupted write), dropped. */
  warnings: LabelProblem[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One parsed line, or the reason it is unusable. */
function parseLabel(value: unknown, line: number): Label | string {
  if (!isRecord(value)) return 'not a JSON object';
  const { image, split, sev, main, why, overall } = value;
  if (typeof image !== 'string' || !image) return 'no "image"';
  if (split !== 'train' && split !== 'val') return `"split" must be "train" or "val", got ${JSON.stringify(split)}`;
  if (!isRecord(sev)) return 'no "sev" object';
  const severities = {} as Record<AspectId, number>;
  for (const a of ASPECTS) {
    const v = sev[a];
    if (v === undefined) return `"sev" has no "${a}" (expected all of ${ASPECTS.join(', ')})`;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) return `"sev.${a}" must be a number from 0 to 1, got ${JSON.stringify(v)}`;
    severities[a] = v;
  }
  if (main !== 'none' && !ASPECTS.includes(main as AspectId)) return `"main" must be "none" or one of ${ASPECTS.join(', ')}, got ${JSON.stringify(main)}`;
  if (typeof overall !== 'number' || !(overall >= 1 && overall <= 5)) return `"overall" must be a number from 1 to 5, got ${JSON.stringify(overall)}`;
  const whyOut: Partial<Record<AspectId, string>> = {};
  if (isRecord(why)) for (const a of ASPECTS) if (typeof why[a] === 'string') whyOut[a] = why[a] as string;
  return {
    image,
    split,
    sev: severities,
    main: main as Label['main'],
    why: whyOut,
    overall,
    overallWhy: typeof value.overall_why === 'string' ? value.overall_why : '',
    other: typeof value.other === 'string' ? value.other : '',
    run: typeof value.run === 'string' ? value.run : '',
    line,
  };
}

/**
 * Reads a labels file. A bad line (invalid JSON, a missing aspect, a severity outside 0–1, a
 * photo not in `knownImages`) becomes an error naming its line and the rest loads; a last line
 * that does not parse and has no newline after it is a torn write: dropped with a warning.
 */
export function parseLabels(text: string, file: string, knownImages?: Set<string>): LabelsRead {
  const out: LabelsRead = { labels: [], errors: [], warnings: [] };
  const lines = text.split('\n');
  const torn = !text.endsWith('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      if (torn && i === lines.length - 1) out.warnings.push({ file, line, message: 'last line is cut short (an interrupted write?): dropped' });
      else out.errors.push({ file, line, message: `invalid JSON: ${(e as Error).message}` });
      return;
    }
    const label = parseLabel(value, line);
    if (typeof label === 'string') out.errors.push({ file, line, message: label });
    else if (knownImages && !knownImages.has(label.image)) out.errors.push({ file, line, message: `"${label.image}" is not a photo of the data set` });
    else out.labels.push(label);
  });
  return out;
}

export function readLabels(file: string, knownImages?: Set<string>): LabelsRead {
  return parseLabels(readFileSync(file, 'utf8'), file, knownImages);
}

/** Prints every problem to stderr, one line each, and returns how many errors there were. */
export function reportProblems(read: LabelsRead): number {
  for (const p of read.warnings) process.stderr.write(`warning: ${p.file}:${p.line}: ${p.message}\n`);
  for (const p of read.errors) process.stderr.write(`error: ${p.file}:${p.line}: ${p.message}\n`);
  return read.errors.length;
}

/**
 * The labels to learn from, one per photo: the main file, with a photo that the calibration
 * file labels several times replaced by the mean of those labels (as the labels' README says).
 */
export function trainingLabels(knownImages: Set<string>, files = { main: LABELS_FILE, calibration: CALIBRATION_FILE }): { byImage: Map<string, Label>; read: LabelsRead[] } {
  const main = readLabels(files.main, knownImages);
  const reads = [main];
  const byImage = new Map(main.labels.map((l) => [l.image, l]));
  if (existsSync(files.calibration)) {
    const cal = readLabels(files.calibration, knownImages);
    reads.push(cal);
    const groups = new Map<string, Label[]>();
    for (const l of cal.labels) (groups.get(l.image) ?? groups.set(l.image, []).get(l.image)!).push(l);
    for (const [image, ls] of groups) byImage.set(image, meanLabel(ls, byImage.get(image)));
  }
  return { byImage, read: reads };
}

function meanLabel(ls: Label[], base: Label | undefined): Label {
  const first = base ?? ls[0];
  const sev = Object.fromEntries(ASPECTS.map((a) => [a, ls.reduce((s, l) => s + l.sev[a], 0) / ls.length])) as Record<AspectId, number>;
  const votes = new Map<string, number>();
  for (const l of ls) votes.set(l.main, (votes.get(l.main) ?? 0) + 1);
  const main = [...votes].sort((a, b) => b[1] - a[1])[0][0] as Label['main'];
  return { ...first, sev, main, overall: ls.reduce((s, l) => s + l.overall, 0) / ls.length };
}

/** Said of the photo as stored: it is turned a quarter (the labels score that as strong tilt). */
export function saysSideways(l: Label): boolean {
  return /\b(sideways|on its side|turned (?:90|a quarter)|rotated (?:by )?90|90[° ]*(?:degrees?)?(?: turn| rotat))/i.test(`${l.other} ${l.why.tilt ?? ''}`);
}

/** Nothing flagged and a good overall: the photos where any reason is a false alarm. */
export const isClean = (l: Label) => l.overall >= 4 && !saysSideways(l) && Object.values(l.sev).every((v) => v < NOTICE_AT);

export function labelsAvailable(): boolean {
  return existsSync(LABELS_FILE);
}

/** A label's target for an aspect column: its severity; for sideways, 1 when it says the photo is turned. */
export function labelTarget(label: Label, aspect: AnyAspect): number {
  return aspect === 'sideways' ? (saysSideways(label) ? 1 : 0) : label.sev[aspect];
}

/** The train labels for the photos of `rows`; the problems go to stderr, and no labels at all ends the run. */
export function trainLabelsOrExit(rows: { image: string; split: string }[]): Map<string, Label> {
  const byImage = labelsOrExit();
  const train = new Set(rows.filter((r) => r.split === 'train').map((r) => r.image));
  const out = new Map([...byImage].filter(([image, l]) => l.split === 'train' && train.has(image)));
  process.stderr.write(`${out.size} labelled train photos\n`);
  return out;
}

function labelsOrExit(): Map<string, Label> {
  if (!labelsAvailable()) {
    process.stderr.write(`no labels at ${LABELS_FILE} (set PHOTO_COACH_DATA to the folder holding labels/)\n`);
    process.exit(2);
  }
  const known = new Set(readdirSync(join(DATA_DIR, 'biq2021', 'images')));
  const { byImage, read } = trainingLabels(known);
  read.forEach(reportProblems);
  return byImage;
}

/** The val labels, for the reported figures only. */
export function valLabelsOrExit(): Map<string, Label> {
  return new Map([...labelsOrExit()].filter(([, l]) => l.split === 'val'));
}
