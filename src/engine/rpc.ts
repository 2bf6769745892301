import { CoachError, ErrorCodes, type ErrorCode } from '../core/errors';

// One small typed RPC over postMessage (a Worker, its global scope, or a fake in tests).
// Requests carry ids; errors cross as {code, message} and are re-thrown as CoachErrors;
// large values (ImageBitmaps, buffers) move as transferables.

/** The part of Worker / DedicatedWorkerGlobalScope / MessagePort the RPC uses. */
export interface Endpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/** Every method takes one argument and answers a promise. */
export type Api = { [method: string]: (arg: never) => Promise<unknown> };

export interface WireError {
  code: ErrorCode;
  message: string;
  userFacing: boolean;
}

export type Request = { rpc: 'call'; id: number; method: string; arg: unknown };
export type Response = { rpc: 'done'; id: number; value: unknown } | { rpc: 'fail'; id: number; error: WireError };

export function toWire(e: unknown): WireError {
  if (e instanceof CoachError) return { code: e.code, message: e.message, userFacing: e.userFacing };
  return { code: ErrorCodes.INTERNAL, message: String((e as Error)?.message ?? e), userFacing: false };
}

export function fromWire(w: WireError): CoachError {
  const code = (Object.values(ErrorCodes) as string[]).includes(w.code) ? w.code : ErrorCodes.INTERNAL;
  return new CoachError(code, w.message, { userFacing: w.userFacing });
}

/** A handler may name what to transfer with its answer by returning `withTransfer(value, list)`. */
const TRANSFER = Symbol('transfer');
export function withTransfer<T>(value: T, transfer: Transferable[]): T {
  return Object.assign(Object.create(null), { [TRANSFER]: { value, transfer } }) as T;
}

/** Answers calls arriving on `endpoint` with `handlers`. Returns the function that stops it. */
export function serve<A extends Api>(endpoint: Endpoint, handlers: A): () => void {
  const onMessage = async (event: MessageEvent) => {
    const req = event.data as Request;
    if (req?.rpc !== 'call') return;
    try {
      const handler = Object.hasOwn(handlers, req.method) ? handlers[req.method] : undefined;
      if (!handler) throw new CoachError('INTERNAL', `no method "${req.method}"; known: ${Object.keys(handlers).join(', ')}`, { userFacing: false });
      const out = (await handler(req.arg as never)) as { [TRANSFER]?: { value: unknown; transfer: Transferable[] } } | undefined;
      const packed = out?.[TRANSFER];
      endpoint.postMessage({ rpc: 'done', id: req.id, value: packed ? packed.value : out } satisfies Response, packed?.transfer ?? []);
    } catch (e) {
      endpoint.postMessage({ rpc: 'fail', id: req.id, error: toWire(e) } satisfies Response);
    }
  };
  endpoint.addEventListener('message', onMessage);
  return () => endpoint.removeEventListener('message', onMessage);
}

export interface Client<A extends Api> {
  call<K extends keyof A & string>(method: K, arg: Parameters<A[K]>[0], transfer?: Transferable[]): ReturnType<A[K]>;
  /** Rejects every call still waiting (the endpoint died); later calls still work. */
  failPending(error: Error): void;
  pending(): number;
  /** Stops listening and rejects what is waiting. */
  close(error: Error): void;
}

export function connect<A extends Api>(endpoint: Endpoint): Client<A> {
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const onMessage = (event: MessageEvent) => {
    const res = event.data as Response;
    if (res?.rpc !== 'done' && res?.rpc !== 'fail') return;
    const call = waiting.get(res.id);
    if (!call) return;
    waiting.delete(res.id);
    if (res.rpc === 'done') call.resolve(res.value);
    else call.reject(fromWire(res.error));
  };
  endpoint.addEventListener('message', onMessage);
  const failPending = (error: Error) => {
    const calls = [...waiting.values()];
    waiting.clear();
    for (const c of calls) c.reject(error);
  };
  return {
    call(method, arg, transfer = []) {
      return new Promise((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        try {
          endpoint.postMessage({ rpc: 'call', id, method, arg } satisfies Request, transfer);
        } catch (e) {
          waiting.delete(id);
          reject(new CoachError('INTERNAL', `could not send "${method}": ${(e as Error).message}`, { userFacing: false, cause: e }));
        }
      }) as ReturnType<A[typeof method]>;
    },
    failPending,
    pending: () => waiting.size,
    close(error) {
      endpoint.removeEventListener('message', onMessage);
      failPending(error);
    },
  };
}
