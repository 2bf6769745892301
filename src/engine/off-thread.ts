import { CoachError } from '../core/errors';
import { connect, type Client, type Endpoint } from './rpc';

/** The part of a Worker a helper thread needs. */
export interface HelperWorker extends Endpoint {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}

/** One method of a helper worker, with the same work done on the calling thread behind it. */
export interface OffThread<Arg, Out> {
  call(arg: Arg): Promise<Out>;
  dispose(): void;
}

/** What crosses to the worker for one call: by default the argument itself, which the browser clones. */
export type Outgoing<Arg> = (arg: Arg) => { arg: Arg; transfer: Transferable[] };

const cloned = <Arg>(arg: Arg) => ({ arg, transfer: [] });

/**
 * Work moved to a helper worker so that it runs beside the thread that calls it, with the
 * calling thread as the fallback: should the worker fail to start, fail a call or die, that
 * call is done `here`, and after a death every later one too (the recovery ladder,
 * core/recovery.ts). Same code on both sides, so the same answers. The worker starts on the
 * first call; `method` is the one it serves, and names it in errors. `outgoing` says what is sent
 * for an argument; the argument itself stays with the caller for `here`.
 */
export function offThread<Arg, Out>(createWorker: () => HelperWorker, method: string, here: (arg: Arg) => Promise<Out>, outgoing: Outgoing<Arg> = cloned): OffThread<Arg, Out> {
  type A = Record<string, (arg: Arg) => Promise<Out>>;
  let worker: HelperWorker | null = null;
  let rpc: Client<A> | null = null;
  let broken = false; // set once the worker cannot start or has died
  const stop = (why: string) => {
    broken = true;
    worker?.terminate();
    rpc?.close(new CoachError('WORKER_CRASHED', `the ${method} worker stopped: ${why}`, { userFacing: false }));
    worker = null;
    rpc = null;
  };
  const start = (): Client<A> | null => {
    if (rpc || broken) return rpc;
    try {
      worker = createWorker();
    } catch {
      broken = true;
      return null;
    }
    rpc = connect<A>(worker);
    worker.addEventListener('error', (e: ErrorEvent) => {
      e.preventDefault();
      stop(e.message || 'unknown error');
    });
    return rpc;
  };
  return {
    async call(arg) {
      const client = start();
      if (!client) return here(arg);
      try {
        const sent = outgoing(arg);
        return await client.call(method, sent.arg, sent.transfer);
      } catch {
        return here(arg);
      }
    },
    dispose() {
      stop('disposed');
    },
  };
}
