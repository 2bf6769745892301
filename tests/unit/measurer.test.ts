import { describe, expect, it } from 'vitest';
import { CoachError } from '../../src/core/errors';
import { measureHere } from '../../src/core/measures/measurer';
import { measure, type MeasuredPixels } from '../../src/core/measures/measures';
import { measureOffThread, type MeasureWorker } from '../../src/engine/measure-off-thread';
import { serve, withTransfer } from '../../src/engine/rpc';
import type { MeasureApi } from '../../src/engine/worker-api';
import { fakeChannel } from './helpers/fake-endpoint';

/** Small views with some texture: a ramp per channel. */
function views(seed: number): MeasuredPixels {
  const img = (w: number, h: number) => ({ data: Float32Array.from({ length: w * h * 3 }, (_, i) => (i * (7 + seed)) % 256), width: w, height: h });
  return { view: img(40, 40), overview: img(20, 20), detail: img(48, 48) };
}

/**
 * A stand-in for the measure worker over the real RPC: answers each call later, in reverse
 * order of arrival, or fails one call, or dies, or cannot start.
 */
function fakeWorker(behaviour: 'answer' | 'fail-one' | 'die' | 'fail-to-start') {
  const seen: number[] = [];
  let terminated = false;
  let calls = 0;
  const [page, inside] = fakeChannel();
  page.moves = inside.moves = true;
  const worker = Object.assign(page, {
    terminate() {
      terminated = true;
      page.closed = inside.closed = true;
    },
  }) as unknown as MeasureWorker & typeof page;
  serve<MeasureApi>(inside, {
    async measure({ px, width, height }) {
      const n = calls++;
      seen.push(n);
      if (behaviour === 'fail-one' && n === 0) throw new CoachError('INTERNAL', 'out of memory', { userFacing: false });
      if (behaviour === 'die') {
        setTimeout(() => page.dispatchEvent(Object.assign(new Event('error', { cancelable: true }), { message: 'killed' })), 1);
        return new Promise<never>(() => {});
      }
      await new Promise((r) => setTimeout(r, 10 - n));
      const values = measure(px, width, height);
      const back = [px.view.data, px.overview.data, px.detail.data];
      return withTransfer({ values, views: back }, [values.buffer, ...back.map((v) => v.buffer)]);
    },
  });
  const create = () => {
    if (behaviour === 'fail-to-start') throw new Error('no workers here');
    return worker;
  };
  // what arrives on the page's side, as it arrives (after the move)
  const arrived: unknown[] = [];
  page.addEventListener('message', (e: MessageEvent) => arrived.push(e.data));
  return { create, seen, sent: page.sent, arrived, terminated: () => terminated };
}

describe('measureOffThread', () => {
  const want = (seed: number) => Array.from(measure(views(seed), 800, 600));

  it('gives each photo its own measurements, whatever order the worker answers in', async () => {
    const fake = fakeWorker('answer');
    const m = measureOffThread(fake.create);
    const got = await Promise.all([0, 1, 2].map((s) => m.measure(views(s), 800, 600)));
    expect(fake.seen).toEqual([0, 1, 2]);
    expect(got.map((v) => Array.from(v))).toEqual([0, 1, 2].map(want));
    m.dispose();
    expect(fake.terminated()).toBe(true);
  });

  it('moves copies of the views to the worker, so the photo keeps its own for the backbone and the fallback', async () => {
    const fake = fakeWorker('answer');
    const m = measureOffThread(fake.create);
    const px = views(7);
    const before = [px.view, px.overview, px.detail].map((v) => v.data.slice());
    expect(Array.from(await m.measure(px, 800, 600))).toEqual(want(7));
    expect([px.view, px.overview, px.detail].map((v) => v.data)).toEqual(before);
    const moved = fake.sent[0].transfer as ArrayBuffer[];
    expect(moved).toHaveLength(3);
    expect(moved.every((b) => b.byteLength === 0)).toBe(true); // detached here: moved, not cloned
    for (const own of [px.view, px.overview, px.detail]) expect(moved).not.toContain(own.data.buffer);
  });

  it('fills the views the worker handed back for the next photo instead of new arrays', async () => {
    const fake = fakeWorker('answer');
    const m = measureOffThread(fake.create);
    await m.measure(views(1), 800, 600);
    const handedBack = (fake.arrived[0] as { value: { views: Float32Array[] } }).value.views.map((v) => v.buffer);
    expect(Array.from(await m.measure(views(2), 800, 600))).toEqual(want(2));
    const sentSecond = fake.sent[1].transfer;
    expect(sentSecond).toHaveLength(3);
    for (const b of handedBack) expect(sentSecond).toContain(b);
  });

  it('measures a photo here when the worker fails it, and keeps using the worker', async () => {
    const fake = fakeWorker('fail-one');
    const m = measureOffThread(fake.create);
    expect(Array.from(await m.measure(views(1), 800, 600))).toEqual(want(1));
    expect(Array.from(await m.measure(views(2), 800, 600))).toEqual(want(2));
    expect(fake.seen).toEqual([0, 1]);
  });

  it('measures here when the worker dies, for the pending photos and every later one', async () => {
    const fake = fakeWorker('die');
    const m = measureOffThread(fake.create);
    const got = await Promise.all([m.measure(views(3), 800, 600), m.measure(views(4), 800, 600)]);
    expect(got.map((v) => Array.from(v))).toEqual([want(3), want(4)]);
    expect(fake.terminated()).toBe(true);
    expect(Array.from(await m.measure(views(5), 800, 600))).toEqual(want(5));
    expect(fake.seen).toEqual([0, 1]);
  });

  it('measures here when no worker can start', async () => {
    const fake = fakeWorker('fail-to-start');
    const m = measureOffThread(fake.create);
    expect(Array.from(await m.measure(views(6), 800, 600))).toEqual(want(6));
    expect(Array.from(await measureHere.measure(views(6), 800, 600))).toEqual(want(6));
  });
});
