import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { mapPathFor, readBatch, writeBatch } from '../../tools/label/batch';
import { backoffMs, parseRetryAfter, type ClientOptions } from '../../tools/label/client';
import { sha256 } from '../../tools/label/images';
import { main } from '../../tools/label/label';
import type { LabelRecord } from '../../tools/label/output';
import { loadPrompt } from '../../tools/label/request';
import { runLabel, type RunOptions } from '../../tools/label/run';
import { parseAnswer, validateAnswer } from '../../tools/label/schema';
import { completion, startFakeServer, validContent, type Action } from './label-fake-server';

const prompt = loadPrompt();

function photos(n: number): { dir: string; files: string[]; hashes: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'label-'));
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const png = new PNG({ width: 2, height: 2 });
    png.data.fill(0);
    png.data[0] = i; // a different photo each time
    png.data[1] = i >> 8;
    for (let p = 3; p < 16; p += 4) png.data[p] = 255;
    const file = join(dir, `p${String(i).padStart(3, '0')}.png`);
    writeFileSync(file, PNG.sync.write(png));
    files.push(file);
  }
  return { dir, files, hashes: files.map((f) => sha256(readFileSync(f))) };
}

const records = (file: string): LabelRecord[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LabelRecord);

function options(baseUrl: string, files: string[], out: string, client: Partial<ClientOptions> = {}, rest: Partial<RunOptions> = {}): RunOptions {
  return {
    files,
    out,
    model: 'fake-vision',
    prompt,
    detail: 'low',
    concurrency: 3,
    prices: { inputPerM: 2.5, outputPerM: 10 },
    client: { baseUrl, timeoutMs: 2000, retries: 3, baseDelayMs: 5, maxDelayMs: 20, ...client },
    ...rest,
  };
}

describe('answer schema', () => {
  const good = JSON.parse(validContent(0.7));

  it('accepts a complete answer, also inside one code fence', () => {
    expect(validateAnswer(good).ok).toBe(true);
    expect(parseAnswer(`\`\`\`json\n${validContent()}\n\`\`\``).ok).toBe(true);
  });

  it('names every problem: missing aspect, out-of-range severity, bad verdict, extra key, bad score', () => {
    const bad = structuredClone(good);
    delete bad.aspects.tilt;
    bad.aspects.blur.severity = 1.5;
    bad.aspects.noise.verdict = 'ok';
    bad.aspects.clutter.extra = 1;
    bad.overall_score = 3.5;
    bad.comment = 'hi';
    const r = validateAnswer(bad);
    expect(r.ok).toBe(false);
    const errors = (r as { errors: string[] }).errors.join('\n');
    for (const part of ['$.aspects.tilt is missing', '$.aspects.blur.severity', '$.aspects.noise.verdict', '$.aspects.clutter.extra is not allowed', '$.overall_score', '$.comment is not allowed']) {
      expect(errors).toContain(part);
    }
    expect(parseAnswer('{"aspects": ').ok).toBe(false);
    expect(parseAnswer('').ok).toBe(false);
  });
});

describe('retry timing', () => {
  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('doubles the backoff up to the cap, half of it jittered', () => {
    expect([0, 1, 2, 3].map((a) => backoffMs(a, 100, 500, () => 0))).toEqual([50, 100, 200, 250]);
    expect([0, 1, 2, 3].map((a) => backoffMs(a, 100, 500, () => 1))).toEqual([100, 200, 400, 500]);
  });
});

describe('labelling against a local endpoint', () => {
  it('labels every photo once, tallies tokens and cost, and skips them on a re-run', async () => {
    const server = await startFakeServer();
    try {
      const { dir, files, hashes } = photos(5);
      const out = join(dir, 'labels.jsonl');
      const s = await runLabel(options(server.baseUrl, [...files, files[0]], out)); // a repeated path is hashed once
      expect(s).toMatchObject({ total: 5, skipped: 0, labelled: 5, failed: [], aborted: false });
      expect(s.usage).toMatchObject({ requests: 5, prompt_tokens: 5000, completion_tokens: 1000, cost_usd: 0.0225 });
      const recs = records(out);
      expect(recs.map((r) => r.sha256).sort()).toEqual([...hashes].sort());
      expect(recs[0]).toMatchObject({ model: 'fake-vision', prompt: 'v1', reasked: false, source: 'live', usage: { prompt_tokens: 1000, completion_tokens: 200 } });
      expect(recs[0].answer.aspects.blur.severity).toBe(0.5);
      const sent = server.log[0].body;
      expect(sent.messages[0]).toEqual({ role: 'system', content: prompt.text });
      const again = await runLabel(options(server.baseUrl, files, out));
      expect(again).toMatchObject({ total: 5, skipped: 5, labelled: 0 });
      expect(server.log).toHaveLength(5);
    } finally {
      await server.close();
    }
  });

  it('survives 429 with Retry-After, 500s, a hang, malformed and invalid answers; gives up on 400 and a second bad answer', async () => {
    const { dir, files, hashes } = photos(7);
    const [rateLimited, flaky, hung, malformed, invalid, hopeless, refused] = hashes;
    const script = ({ sha256: h, attempt, reask }: { sha256: string; attempt: number; reask: boolean }): Action => {
      if (h === rateLimited && attempt === 1) return { kind: 'status', status: 429, headers: { 'retry-after': '1' } };
      if (h === flaky && attempt <= 2) return { kind: 'status', status: attempt === 1 ? 500 : 503 };
      if (h === hung && attempt === 1) return { kind: 'hang' };
      if (h === malformed && !reask) return { kind: 'answer', content: 'Sure! Here is the JSON: {"aspects": {' };
      if (h === invalid && !reask) return { kind: 'answer', content: validContent(1.7) };
      if (h === hopeless) return { kind: 'answer', content: 'I cannot help with that.' };
      if (h === refused) return { kind: 'status', status: 400, body: '{"error":{"message":"bad image"}}' };
      return { kind: 'answer' };
    };
    const server = await startFakeServer(script);
    const delays: number[] = [];
    const reasons: string[] = [];
    try {
      const out = join(dir, 'labels.jsonl');
      const s = await runLabel(
        options(server.baseUrl, files, out, {
          timeoutMs: 1500,
          sleep: async (ms) => {
            delays.push(ms);
          },
          onRetry: ({ reason }) => reasons.push(reason),
        }),
      );
      expect(s.labelled).toBe(5);
      expect(s.reasked).toBe(2);
      expect(s.failed.map((f) => f.sha256).sort()).toEqual([hopeless, refused].sort());
      expect(s.failed.find((f) => f.sha256 === refused)!.error).toContain('HTTP 400');
      expect(s.failed.find((f) => f.sha256 === hopeless)!.error).toContain('after a re-ask');
      expect(
        records(out)
          .map((r) => r.sha256)
          .sort(),
      ).toEqual([rateLimited, flaky, hung, malformed, invalid].sort());
      expect(delays).toContain(1000); // Retry-After: 1
      expect(reasons.sort()).toEqual(['HTTP 429', 'HTTP 500', 'HTTP 503', 'timed out after 1500 ms'].sort());
      const count = (h: string) => server.log.filter((x) => x.sha256 === h).length;
      expect([rateLimited, flaky, hung, malformed, invalid, hopeless, refused].map(count)).toEqual([2, 3, 2, 2, 2, 2, 1]);
      const reask = server.log.find((x) => x.sha256 === invalid && x.reask)!.body.messages;
      expect(reask.at(-1)!.content).toContain('$.aspects.blur.severity');
      expect(s.usage.requests).toBe(server.log.length); // every request sent, refused and unanswered ones too
      expect(s.usage.prompt_tokens).toBe(9 * 1000); // answered requests only: two each for the three re-asked photos, one each for the three retried
    } finally {
      await server.close();
    }
  });

  it('gives up after the retry budget on a server that keeps failing', async () => {
    const server = await startFakeServer(() => ({ kind: 'status', status: 502 }));
    try {
      const { dir, files } = photos(1);
      const s = await runLabel(options(server.baseUrl, files, join(dir, 'l.jsonl'), { retries: 2 }));
      expect(s.failed[0].error).toBe('gave up after 3 attempts: HTTP 502');
      expect(server.log).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('after an interrupted run and a torn last line, a resumed run leaves every photo exactly once', async () => {
    const server = await startFakeServer(() => ({ kind: 'answer', delayMs: 40 }));
    try {
      const { dir, files, hashes } = photos(12);
      const out = join(dir, 'labels.jsonl');
      const stop = new AbortController();
      let written = 0;
      const first = await runLabel(
        options(
          server.baseUrl,
          files,
          out,
          {},
          {
            signal: stop.signal,
            onRecord: () => {
              if (++written === 4) stop.abort(new Error('interrupted'));
            },
          },
        ),
      );
      expect(first.aborted).toBe(true);
      const kept = records(out).length;
      expect(kept).toBeGreaterThanOrEqual(4);
      expect(kept).toBeLessThan(12);
      appendFileSync(out, `{"sha256":"${hashes[11].slice(0, 20)}`); // a crash in the middle of a write
      const second = await runLabel(options(server.baseUrl, files, out));
      expect(second.repairedBytes).toBe(31);
      expect(second).toMatchObject({ total: 12, skipped: kept, labelled: 12 - kept, failed: [], aborted: false });
      const recs = records(out);
      expect(recs).toHaveLength(12);
      expect(new Set(recs.map((r) => r.sha256))).toEqual(new Set(hashes));
      expect(readFileSync(out, 'utf8').endsWith('\n')).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('the command line', () => {
  it('prints help, and a dry run shows the request with the image cut short and sends nothing', async () => {
    const printed: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((s: string) => {
      printed.push(s);
    });
    try {
      expect(await main(['--help'])).toBe(0);
      expect(printed[0]).toContain('--batch write');
      const { dir, files, hashes } = photos(2);
      expect(await main(['--dry-run', '--out', join(dir, 'l.jsonl'), dir], { LABEL_MODEL: 'm', LABEL_BASE_URL: 'http://x/v1', LABEL_API_KEY: 'secret' })).toBe(0);
      const shown = printed[1];
      const req = JSON.parse(shown);
      expect(req).toMatchObject({ url: 'http://x/v1/chat/completions', photos: 2, prompt: 'v1', photo: { sha256: hashes[0] } });
      expect(req.headers.authorization).toBe('Bearer ***');
      expect(shown).not.toContain('secret');
      expect(shown).toMatch(/base64,[A-Za-z0-9+/]{48}…\(\d+ chars\)/);
      void files;
    } finally {
      spy.mockRestore();
    }
  });
});

describe('batch files', () => {
  it('writes the Batch API input keyed by hash, leaving out photos already labelled', () => {
    const { dir, files, hashes } = photos(3);
    const labels = join(dir, 'labels.jsonl');
    writeFileSync(labels, `${JSON.stringify({ sha256: hashes[0] })}\n`);
    const batchIn = join(dir, 'batch-in.jsonl');
    expect(writeBatch({ files, labels, batchOut: batchIn, model: 'm', prompt, detail: 'low' })).toEqual({ written: 2, skipped: 1, map: mapPathFor(batchIn) });
    const lines = readFileSync(batchIn, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.custom_id)).toEqual(hashes.slice(1));
    expect(lines[0]).toMatchObject({ method: 'POST', url: '/v1/chat/completions', body: { model: 'm', response_format: { type: 'json_object' } } });
    expect(lines[0].body.messages[1].content[1].image_url.url.startsWith('data:image/png;base64,')).toBe(true);
  });

  it('reads the Batch API output into the labels file, once, keeping failures for a later run', () => {
    const { dir, files, hashes } = photos(4);
    const batchIn = join(dir, 'in.jsonl');
    writeBatch({ files, batchOut: batchIn, model: 'm', prompt, detail: 'low' });
    const ok = (h: string, content = validContent(0.2)) => ({
      id: `batch_req_${h.slice(0, 6)}`,
      custom_id: h,
      response: { status_code: 200, request_id: 'r', body: completion(content, 'gpt-x') },
      error: null,
    });
    const results = join(dir, 'out.jsonl');
    writeFileSync(
      results,
      `${[ok(hashes[0]), ok(hashes[1]), ok(hashes[2], 'not json'), { id: 'batch_req_x', custom_id: hashes[3], response: null, error: { code: 'rate_limit', message: 'quota' } }]
        .map((l) => JSON.stringify(l))
        .join('\n')}\n`,
    );
    const labels = join(dir, 'labels.jsonl');
    const prices = { inputPerM: 1.25, outputPerM: 5 };
    const s = readBatch({ results, labels, model: 'm', prompt, map: mapPathFor(batchIn), prices });
    expect(s).toMatchObject({ lines: 4, labelled: 2, alreadyDone: 0 });
    expect(s.failed.map((f) => f.custom_id)).toEqual([hashes[2], hashes[3]]);
    expect(s.usage).toMatchObject({ requests: 3, prompt_tokens: 3000, completion_tokens: 600 });
    const recs = records(labels);
    expect(recs.map((r) => [r.sha256, r.file, r.model, r.source])).toEqual([
      [hashes[0], files[0], 'gpt-x', 'batch'],
      [hashes[1], files[1], 'gpt-x', 'batch'],
    ]);
    expect(readBatch({ results, labels, model: 'm', prompt, prices })).toMatchObject({ labelled: 0, alreadyDone: 2 });
    expect(records(labels)).toHaveLength(2);
  });
});
