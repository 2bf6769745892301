import type { Endpoint } from '../../../src/engine/rpc';

type Listener = (event: never) => void;

/**
 * One side of an in-memory message channel; records what was posted and transferred. With
 * `moves`, a message crosses as a browser's would: cloned, its transferred buffers detached here.
 */
export class FakePort implements Endpoint {
  other!: FakePort;
  sent: { data: unknown; transfer: Transferable[] }[] = [];
  closed = false;
  moves = false;
  private listeners = new Map<string, Set<Listener>>();

  postMessage(data: unknown, transfer: Transferable[] = []) {
    if (this.closed) return;
    this.sent.push({ data, transfer });
    const arriving = this.moves ? structuredClone(data, { transfer }) : data;
    queueMicrotask(() => this.other.closed || this.other.dispatchEvent(new MessageEvent('message', { data: arriving })));
  }
  addEventListener(type: string, listener: Listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(listener);
  }
  removeEventListener(type: string, listener: Listener) {
    this.listeners.get(type)?.delete(listener);
  }
  dispatchEvent(event: Event) {
    for (const l of this.listeners.get(event.type) ?? []) l(event as never);
  }
}

export function fakeChannel(): [FakePort, FakePort] {
  const a = new FakePort();
  const b = new FakePort();
  a.other = b;
  b.other = a;
  return [a, b];
}
