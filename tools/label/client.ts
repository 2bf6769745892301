// One chat-completions call with retries: exponential backoff with jitter on 429, 408, 409, 5xx,
// timeouts and network errors; Retry-After is obeyed when the server sends it.
import type { ChatBody } from './request';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
}

export interface ChatResponse {
  choices?: { message?: { content?: string | null } }[];
  usage?: Partial<Usage>;
}

export interface ClientOptions {
  /** OpenAI-compatible base URL, including /v1. */
  baseUrl: string;
  apiKey?: string;
  timeoutMs: number;
  /** Retries after the first attempt. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After honoured; longer ones are capped. */
  maxRetryAfterMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
  /** Called as each HTTP request is sent, failed ones included (for the request tally). */
  onAttempt?: () => void;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`HTTP ${status}: ${body.slice(0, 300)}`);
  }
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries spread out but never bunch at zero. */
export function backoffMs(attempt: number, base: number, max: number, random: () => number): number {
  const d = Math.min(max, base * 2 ** attempt);
  return d / 2 + random() * (d / 2);
}

const retryable = (status: number) => status === 408 || status === 409 || status === 429 || status >= 500;

export async function postChat(body: ChatBody, o: ClientOptions, signal?: AbortSignal): Promise<{ response: ChatResponse; attempts: number }> {
  const url = `${o.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const sleep = o.sleep ?? abortableSleep;
  const random = o.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    let reason: string;
    let retryAfter: number | undefined;
    const timeout = AbortSignal.timeout(o.timeoutMs);
    o.onAttempt?.();
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(o.apiKey && { authorization: `Bearer ${o.apiKey}` }) },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      const text = await res.text();
      if (res.ok) {
        try {
          return { response: JSON.parse(text) as ChatResponse, attempts: attempt + 1 };
        } catch {
          reason = 'unreadable response body';
        }
      } else if (retryable(res.status)) {
        reason = `HTTP ${res.status}`;
        retryAfter = parseRetryAfter(res.headers.get('retry-after'));
      } else {
        throw new HttpError(res.status, text);
      }
    } catch (e) {
      if (e instanceof HttpError) throw e;
      if (signal?.aborted) throw signal.reason;
      reason = timeout.aborted ? `timed out after ${o.timeoutMs} ms` : `network error: ${(e as Error).message}`;
    }
    if (attempt >= o.retries) throw new Error(`gave up after ${attempt + 1} attempts: ${reason}`);
    const delayMs = retryAfter !== undefined ? Math.min(retryAfter, o.maxRetryAfterMs ?? 120_000) : backoffMs(attempt, o.baseDelayMs, o.maxDelayMs, random);
    o.onRetry?.({ attempt: attempt + 1, delayMs, reason });
    await sleep(delayMs, signal);
  }
}
