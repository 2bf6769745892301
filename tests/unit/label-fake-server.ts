// A local stand-in for an OpenAI-compatible chat-completions endpoint. Each request is identified
// by the sha256 of the photo it carries; a script decides, per photo and attempt, what to answer.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ASPECTS } from '../../src/core/aspects';

export type Action = { kind: 'answer'; content?: string; delayMs?: number } | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string } | { kind: 'hang' };

export interface Seen {
  sha256: string;
  /** 1 for the first request about this photo. */
  attempt: number;
  /** True when the conversation already holds an assistant reply (a re-ask). */
  reask: boolean;
  body: { model: string; messages: { role: string; content: unknown }[] };
}

export const validContent = (severity = 0.5) =>
  JSON.stringify({
    aspects: Object.fromEntries(
      ASPECTS.map((a) => [
        a,
        {
          verdict: severity >= 0.6 ? 'strong' : severity >= 0.35 ? 'mild' : 'fine',
          severity,
          rationale: `The ${a} looks like this.`,
        },
      ]),
    ),
    overall_score: 3,
    overall_rationale: 'Acceptable photo.',
  });

export const completion = (content: string, model = 'fake-vision') => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 0,
  model,
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 },
});

export async function startFakeServer(script: (s: Seen) => Action = () => ({ kind: 'answer' })) {
  const attempts = new Map<string, number>();
  const log: Seen[] = [];
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404).end();
      return;
    }
    const body = JSON.parse(raw) as Seen['body'];
    const url = JSON.stringify(body.messages).match(/data:[^;]+;base64,([A-Za-z0-9+/=]+)/)![1];
    const sha256 = createHash('sha256').update(Buffer.from(url, 'base64')).digest('hex');
    const attempt = (attempts.get(sha256) ?? 0) + 1;
    attempts.set(sha256, attempt);
    const seen: Seen = { sha256, attempt, reask: body.messages.some((m) => m.role === 'assistant'), body };
    log.push(seen);
    const action = script(seen);
    if (action.kind === 'hang') return; // never answers; the client must time out
    if (action.kind === 'status') {
      res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers }).end(action.body ?? '{"error":{"message":"fake"}}');
      return;
    }
    if (action.delayMs) await new Promise((r) => setTimeout(r, action.delayMs));
    if (res.destroyed) return;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion(action.content ?? validContent(), body.model)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    log,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
