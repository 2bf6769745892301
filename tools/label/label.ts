// npm run label -- --help
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flagNumber, parseArgs } from '../lib/cli';
import { readBatch, writeBatch } from './batch';
import { hashPhotos, listImages, mimeOf } from './images';
import { chatBody, DEFAULT_PROMPT, loadPrompt, truncateImages } from './request';
import { runLabel } from './run';
import { readFileSync } from 'node:fs';

const HERE = dirname(fileURLToPath(import.meta.url));

const HELP = `Label listing photos with a vision model on any OpenAI-compatible chat-completions endpoint.

Usage: npm run label -- [options] <photo or folder>...
       npm run label -- --batch write <batch-input.jsonl> [options] <photo or folder>...
       npm run label -- --batch read <batch-output.jsonl> [--map <batch-input.jsonl.files.jsonl>]

Environment:
  LABEL_BASE_URL   base URL including /v1 (e.g. https://api.openai.com/v1)
  LABEL_MODEL      model name (or --model)
  LABEL_API_KEY    bearer token (environment only, never a flag)
  LABEL_PRICE_IN, LABEL_PRICE_OUT   USD per million input / output tokens (or --price-in/--price-out)

Options:
  --out FILE          labels JSONL, one line per image sha256; re-runs skip hashes already there
                      (default tools/label/out/labels.jsonl)
  --list FILE         more photo paths, one per line
  --prompt FILE       versioned prompt (default tools/label/prompt.v1.md)
  --model NAME        overrides LABEL_MODEL
  --base-url URL      overrides LABEL_BASE_URL
  --detail LEVEL      image detail sent to the model: low, high or auto (default auto)
  --concurrency N     requests in flight (default 4)
  --timeout S         seconds per request before it is retried (default 60)
  --retries N         retries per request on 429, 5xx, timeouts and network errors (default 5)
  --backoff MS        first backoff; doubles per retry, with jitter; Retry-After wins (default 1000)
  --max-backoff MS    backoff cap (default 60000)
  --price-in USD      per million input tokens
  --price-out USD     per million output tokens
  --dry-run           print the first request (image base64 cut short) and send nothing
  --batch write FILE  write the provider's Batch API input (custom_id = sha256) instead of calling
                      the endpoint, plus FILE.files.jsonl mapping hashes to photos
  --batch read FILE   read the provider's Batch API output into --out
  --map FILE          hash → photo map for --batch read (default: none, records get file: null)
  --help

Prints a JSON summary (counts, failures, tokens, cost) on stdout and a progress line on stderr.
Exit status: 0 all labelled, 2 some failed, 130 interrupted (the labels written so far are kept).`;

function need(value: string | undefined, what: string): string {
  if (!value) throw new Error(`${what} is not set (see --help)`);
  return value;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, signal?: AbortSignal): Promise<number> {
  const { flags, positional } = parseArgs(argv, ['help', 'dry-run']);
  if (flags.help) {
    console.log(HELP);
    return 0;
  }
  const str = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  const prompt = loadPrompt(str('prompt') ?? DEFAULT_PROMPT);
  const out = resolve(str('out') ?? join(HERE, 'out/labels.jsonl'));
  mkdirSync(dirname(out), { recursive: true });
  const prices = {
    inputPerM: flagNumber(flags, 'price-in', Number(env.LABEL_PRICE_IN ?? 0)),
    outputPerM: flagNumber(flags, 'price-out', Number(env.LABEL_PRICE_OUT ?? 0)),
  };
  const model = str('model') ?? env.LABEL_MODEL ?? '';
  const detail = str('detail') ?? 'auto';
  if (!['low', 'high', 'auto'].includes(detail)) throw new Error(`--detail must be low, high or auto, got "${detail}"`);
  const batch = str('batch');
  const args = batch ? positional.slice(1) : positional;

  if (batch === 'read') {
    const results = need(positional[0], 'the batch output file');
    const summary = readBatch({ results, labels: out, model, prompt, map: str('map'), prices });
    console.log(JSON.stringify(summary, null, 1));
    return summary.failed.length ? 2 : 0;
  }
  const files = listImages(args, str('list'));
  if (!files.length) throw new Error('no photos given (see --help)');
  if (batch === 'write') {
    const batchOut = resolve(need(positional[0], 'the batch input file to write'));
    const summary = writeBatch({ files, labels: out, batchOut, model: need(model, 'LABEL_MODEL'), prompt, detail });
    console.log(JSON.stringify(summary, null, 1));
    return 0;
  }
  if (batch) throw new Error(`--batch must be "write" or "read", got "${batch}"`);
  const baseUrl = str('base-url') ?? env.LABEL_BASE_URL ?? '';
  if (flags['dry-run']) {
    const [first] = hashPhotos(files.slice(0, 1));
    const bytes = readFileSync(first.file);
    const body = chatBody(model || '<LABEL_MODEL>', prompt, { bytes, mime: mimeOf(bytes, first.file) }, detail);
    console.log(
      JSON.stringify(
        {
          url: `${(baseUrl || '<LABEL_BASE_URL>').replace(/\/+$/, '')}/chat/completions`,
          headers: { 'content-type': 'application/json', authorization: env.LABEL_API_KEY ? 'Bearer ***' : '(none)' },
          photo: first,
          photos: files.length,
          prompt: prompt.version,
          body: truncateImages(body),
        },
        null,
        1,
      ),
    );
    return 0;
  }
  const summary = await runLabel({
    files,
    out,
    model: need(model, 'LABEL_MODEL'),
    prompt,
    detail,
    prices,
    signal,
    showProgress: true,
    concurrency: flagNumber(flags, 'concurrency', 4),
    client: {
      baseUrl: need(baseUrl, 'LABEL_BASE_URL'),
      apiKey: env.LABEL_API_KEY,
      timeoutMs: flagNumber(flags, 'timeout', 60) * 1000,
      retries: flagNumber(flags, 'retries', 5),
      baseDelayMs: flagNumber(flags, 'backoff', 1000),
      maxDelayMs: flagNumber(flags, 'max-backoff', 60_000),
      onRetry: ({ attempt, delayMs, reason }) => process.stderr.write(`retry ${attempt} in ${Math.round(delayMs)} ms: ${reason}\n`),
    },
  });
  console.log(JSON.stringify(summary, null, 1));
  return summary.aborted ? 130 : summary.failed.length ? 2 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort(new Error('interrupted')));
  main(process.argv.slice(2), process.env, stop.signal).then(
    (code) => {
      process.exitCode = code;
    },
    (e: Error) => {
      console.error(e.message);
      process.exitCode = 1;
    },
  );
}
