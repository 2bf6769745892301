// The provider's Batch API files: we write its input JSONL (one request per photo, custom_id = the
// photo's sha256) and read its output JSONL into the same labels file a live run writes.
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { ChatResponse } from './client';
import { hashPhotos, mimeOf } from './images';
import { LabelsFile } from './output';
import { chatBody, type Prompt } from './request';
import { parseAnswer } from './schema';
import { Tally, type Prices } from './tally';

export const BATCH_URL = '/v1/chat/completions';

export interface BatchWriteOptions {
  files: string[];
  /** Labels already done are left out when given. */
  labels?: string;
  batchOut: string;
  model: string;
  prompt: Prompt;
  detail: string;
}

/** Where the hash → file map for a batch input file goes (custom_id carries only the hash). */
export const mapPathFor = (batchIn: string) => `${batchIn}.files.jsonl`;

export function writeBatch(o: BatchWriteOptions): { written: number; skipped: number; map: string } {
  const photos = hashPhotos(o.files);
  let done = new Set<string>();
  if (o.labels && existsSync(o.labels)) {
    const f = new LabelsFile(o.labels);
    done = new Set(photos.filter((p) => f.has(p.sha256)).map((p) => p.sha256));
    f.close();
  }
  const out = openSync(o.batchOut, 'w');
  const map = openSync(mapPathFor(o.batchOut), 'w');
  let written = 0;
  try {
    for (const p of photos) {
      if (done.has(p.sha256)) continue;
      const bytes = readFileSync(p.file);
      const body = chatBody(o.model, o.prompt, { bytes, mime: mimeOf(bytes, p.file) }, o.detail);
      writeSync(out, `${JSON.stringify({ custom_id: p.sha256, method: 'POST', url: BATCH_URL, body })}\n`);
      writeSync(map, `${JSON.stringify({ sha256: p.sha256, file: p.file })}\n`);
      written++;
    }
  } finally {
    closeSync(out);
    closeSync(map);
  }
  return { written, skipped: photos.length - written, map: mapPathFor(o.batchOut) };
}

interface BatchOutputLine {
  custom_id?: string;
  response?: { status_code?: number; body?: ChatResponse & { model?: string } } | null;
  error?: { code?: string; message?: string } | null;
}

export interface BatchReadOptions {
  results: string;
  labels: string;
  model: string;
  prompt: Prompt;
  /** The hash → file map written next to the batch input; records get file: null without it. */
  map?: string;
  prices: Prices;
}

export interface BatchReadSummary {
  lines: number;
  labelled: number;
  alreadyDone: number;
  failed: { custom_id: string; error: string }[];
  usage: ReturnType<Tally['toJSON']>;
}

export function readBatch(o: BatchReadOptions): BatchReadSummary {
  const files = new Map<string, string>();
  if (o.map && existsSync(o.map)) {
    for (const line of readFileSync(o.map, 'utf8').split('\n')) {
      if (line.trim()) {
        const m = JSON.parse(line) as { sha256: string; file: string };
        files.set(m.sha256, m.file);
      }
    }
  }
  const labels = new LabelsFile(o.labels);
  const tally = new Tally(o.prices);
  const s: BatchReadSummary = { lines: 0, labelled: 0, alreadyDone: 0, failed: [], usage: tally.toJSON() };
  try {
    for (const raw of readFileSync(o.results, 'utf8').split('\n')) {
      if (!raw.trim()) continue;
      s.lines++;
      let line: BatchOutputLine;
      try {
        line = JSON.parse(raw);
      } catch {
        s.failed.push({ custom_id: '?', error: 'unreadable output line' });
        continue;
      }
      const id = line.custom_id ?? '?';
      const status = line.response?.status_code;
      if (line.error || status !== 200 || !line.response?.body) {
        s.failed.push({ custom_id: id, error: line.error?.message ?? `status ${status ?? 'missing'}` });
        continue;
      }
      const body = line.response.body;
      tally.requests++;
      tally.add(body.usage);
      if (!/^[0-9a-f]{64}$/.test(id)) {
        s.failed.push({ custom_id: id, error: 'custom_id is not a sha256' });
        continue;
      }
      if (labels.has(id)) {
        s.alreadyDone++;
        continue;
      }
      const checked = parseAnswer(body.choices?.[0]?.message?.content);
      if (!checked.ok) {
        s.failed.push({ custom_id: id, error: checked.errors.slice(0, 3).join('; ') });
        continue;
      }
      labels.append({
        sha256: id,
        file: files.get(id) ?? null,
        model: body.model ?? o.model,
        prompt: o.prompt.version,
        answer: checked.answer,
        usage: { prompt_tokens: body.usage?.prompt_tokens ?? 0, completion_tokens: body.usage?.completion_tokens ?? 0 },
        reasked: false,
        source: 'batch',
        at: new Date().toISOString(),
      });
      s.labelled++;
    }
  } finally {
    labels.close();
  }
  s.usage = tally.toJSON();
  return s;
}
