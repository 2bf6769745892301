// The live run: pending photos through a bounded pool of workers, each answer validated (one
// re-ask when invalid) and appended to the labels file as soon as it is good.
import { readFileSync } from 'node:fs';
import { progress } from '../lib/cli';
import { postChat, type ClientOptions, type Usage } from './client';
import { hashPhotos, mimeOf, type Photo } from './images';
import { LabelsFile, type LabelRecord } from './output';
import { chatBody, reaskBody, type ChatBody, type Prompt } from './request';
import { parseAnswer, type Answer } from './schema';
import { Tally, type Prices } from './tally';

export interface RunOptions {
  files: string[];
  out: string;
  model: string;
  prompt: Prompt;
  client: ClientOptions;
  concurrency: number;
  detail: string;
  prices: Prices;
  signal?: AbortSignal;
  showProgress?: boolean;
  onRecord?: (r: LabelRecord) => void;
}

export interface RunSummary {
  total: number;
  skipped: number;
  labelled: number;
  reasked: number;
  failed: { file: string; sha256: string; error: string }[];
  aborted: boolean;
  repairedBytes: number;
  usage: ReturnType<Tally['toJSON']>;
}

const addUsage = (a: Usage, b: Partial<Usage> | undefined): Usage => ({
  prompt_tokens: a.prompt_tokens + (b?.prompt_tokens ?? 0),
  completion_tokens: a.completion_tokens + (b?.completion_tokens ?? 0),
});

/** Asks once, and once more with the errors if the reply is not a valid answer. */
async function ask(body: ChatBody, o: RunOptions, tally: Tally): Promise<{ answer: Answer; usage: Usage; reasked: boolean }> {
  let usage: Usage = { prompt_tokens: 0, completion_tokens: 0 };
  let current = body;
  for (let round = 0; round < 2; round++) {
    const { response } = await postChat(
      current,
      {
        ...o.client,
        onAttempt: () => {
          tally.requests++;
          o.client.onAttempt?.();
        },
      },
      o.signal,
    );
    tally.add(response.usage);
    usage = addUsage(usage, response.usage);
    const reply = response.choices?.[0]?.message?.content ?? '';
    const checked = parseAnswer(reply);
    if (checked.ok) return { answer: checked.answer, usage, reasked: round > 0 };
    if (round === 1) throw new Error(`invalid answer after a re-ask: ${checked.errors.slice(0, 3).join('; ')}`);
    current = reaskBody(body, reply, checked.errors);
  }
  throw new Error('unreachable');
}

export async function runLabel(o: RunOptions): Promise<RunSummary> {
  const photos = hashPhotos(o.files);
  const labels = new LabelsFile(o.out);
  const pending = photos.filter((p) => !labels.has(p.sha256));
  const tally = new Tally(o.prices);
  const summary: RunSummary = {
    total: photos.length,
    skipped: photos.length - pending.length,
    labelled: 0,
    reasked: 0,
    failed: [],
    aborted: false,
    repairedBytes: labels.repairedBytes,
    usage: tally.toJSON(),
  };
  const bar = o.showProgress ? progress('label', pending.length) : undefined;
  let next = 0;
  let finished = 0;
  const one = async (p: Photo) => {
    const bytes = readFileSync(p.file);
    const body = chatBody(o.model, o.prompt, { bytes, mime: mimeOf(bytes, p.file) }, o.detail);
    const { answer, usage, reasked } = await ask(body, o, tally);
    const record: LabelRecord = {
      sha256: p.sha256,
      file: p.file,
      model: o.model,
      prompt: o.prompt.version,
      answer,
      usage,
      reasked,
      source: 'live',
      at: new Date().toISOString(),
    };
    if (labels.append(record)) {
      summary.labelled++;
      if (reasked) summary.reasked++;
      o.onRecord?.(record);
    }
  };
  const worker = async () => {
    while (next < pending.length && !o.signal?.aborted) {
      const p = pending[next++];
      try {
        await one(p);
      } catch (e) {
        if (o.signal?.aborted) break;
        summary.failed.push({ file: p.file, sha256: p.sha256, error: (e as Error).message });
      }
      bar?.tick(++finished);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, pending.length)) }, worker));
  } finally {
    labels.close();
    bar?.done();
  }
  summary.aborted = !!o.signal?.aborted;
  summary.usage = tally.toJSON();
  return summary;
}
