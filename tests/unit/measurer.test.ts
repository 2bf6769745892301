import { describe, expect, it } from 'vitest';
import { measure, type MeasuredPixels } from '../../src/core/model/measures';
import { measureHere, measureOffThread } from '../../src/core/model/measurer';

/** Small views with some texture: a ramp per channel. */
function views(seed: number): MeasuredPixels {
  const img = (w: number, h: number) => ({ data: Float32Array.from({ length: w * h * 3 }, (_, i) => (i * (7 + seed)) % 256), width: w, height: h });
  return { view: img(40, 40), overview: img(20, 20), detail: img(48, 48) };
}

/** A stand-in for the worker: answers each message later, in reverse order of arrival, or dies. */
function fakeWorker(behaviour: 'answer' | 'die' | 'fail-to-start') {
  const sent: number[] = [];
  const worker = {
    onmessage: null as ((e: MessageEvent) => void) | null,
    onerror: null as ((e: ErrorEvent) => void) | null,
    terminated: false,
    postMessage(msg: { id: number; px: MeasuredPixels; width: number; height: number }) {
      sent.push(msg.id);
      // structured clone: the worker never sees the caller's arrays
      const copy = structuredClone(msg);
      setTimeout(() => {
        if (behaviour === 'die') worker.onerror?.({ preventDefault() {} } as ErrorEvent);
        else worker.onmessage?.({ data: { id: copy.id, values: measure(copy.px, copy.width, copy.height) } } as MessageEvent);
      }, 10 - copy.id);
    },
    terminate() {
      worker.terminated = true;
    },
  };
  const create = () => {
    if (behaviour === 'fail-to-start') throw new Error('no workers here');
    return worker as unknown as Worker;
  };
  return { worker, create, sent };
}

describe('measureOffThread', () => {
  const want = (seed: number) => Array.from(measure(views(seed), 800, 600));

  it('gives each photo its own measurements, whatever order the worker answers in', async () => {
    const fake = fakeWorker('answer');
    const m = measureOffThread(fake.create);
    const got = await Promise.all([0, 1, 2].map((s) => m.measure(views(s), 800, 600)));
    expect(fake.sent).toEqual([0, 1, 2]);
    expect(got.map((v) => Array.from(v))).toEqual([0, 1, 2].map(want));
    m.dispose();
    expect(fake.worker.terminated).toBe(true);
  });

  it('measures here when the worker dies, for the pending photos and every later one', async () => {
    const fake = fakeWorker('die');
    const m = measureOffThread(fake.create);
    const got = await Promise.all([m.measure(views(3), 800, 600), m.measure(views(4), 800, 600)]);
    expect(got.map((v) => Array.from(v))).toEqual([want(3), want(4)]);
    expect(fake.worker.terminated).toBe(true);
    expect(Array.from(await m.measure(views(5), 800, 600))).toEqual(want(5));
    expect(fake.sent).toEqual([0, 1]);
  });

  it('measures here when no worker can start', async () => {
    const fake = fakeWorker('fail-to-start');
    const m = measureOffThread(fake.create);
    expect(Array.from(await m.measure(views(6), 800, 600))).toEqual(want(6));
    expect(Array.from(await measureHere.measure(views(6), 800, 600))).toEqual(want(6));
  });
});
