import { CoachError } from '../../src/core/errors';
import { connect, serve, withTransfer } from '../../src/engine/rpc';
import { fakeChannel } from './helpers/fake-endpoint';

type Api = {
  add(arg: { a: number; b: number }): Promise<number>;
  fail(arg: string): Promise<never>;
  crash(arg: undefined): Promise<never>;
  buffer(arg: number): Promise<ArrayBuffer>;
};

function setup() {
  const [page, worker] = fakeChannel();
  const stop = serve<Api>(worker, {
    add: async ({ a, b }) => a + b,
    fail: async (code) => {
      throw new CoachError(code as 'CORRUPT_IMAGE', 'bad bytes');
    },
    crash: async () => {
      throw new TypeError('x is undefined');
    },
    buffer: async (n) => {
      const buf = new ArrayBuffer(n);
      return withTransfer(buf, [buf]);
    },
  });
  return { page, worker, stop, client: connect<Api>(page) };
}

describe('worker RPC', () => {
  it('matches answers to calls by id', async () => {
    const { client } = setup();
    const [x, y] = await Promise.all([client.call('add', { a: 1, b: 2 }), client.call('add', { a: 10, b: 20 })]);
    expect([x, y]).toEqual([3, 30]);
    expect(client.pending()).toBe(0);
  });

  it('re-throws coded errors as CoachErrors and others as INTERNAL', async () => {
    const { client } = setup();
    const coded = await client.call('fail', 'CORRUPT_IMAGE').catch((e) => e);
    expect(coded).toBeInstanceOf(CoachError);
    expect(coded).toMatchObject({ code: 'CORRUPT_IMAGE', message: 'bad bytes', userFacing: true });
    const unknownCode = await client.call('fail', 'NOT_A_CODE').catch((e) => e);
    expect(unknownCode.code).toBe('INTERNAL');
    const thrown = await client.call('crash', undefined).catch((e) => e);
    expect(thrown).toMatchObject({ code: 'INTERNAL', message: 'x is undefined', userFacing: false });
  });

  it('answers unknown methods with an error naming the known ones', async () => {
    const { client } = setup();
    const e = (await (client.call as (m: string, a: unknown) => Promise<unknown>)('nope', 1).catch((err: Error) => err)) as Error;
    expect(e.message).toMatch(/no method "nope"; known: add, fail, crash, buffer/);
  });

  it('passes transfer lists both ways', async () => {
    const { client, page, worker } = setup();
    const out = new ArrayBuffer(8);
    await client.call('add', { a: 0, b: 0 }, [out]);
    expect(page.sent[0].transfer).toEqual([out]);
    const buf = await client.call('buffer', 16);
    expect(buf.byteLength).toBe(16);
    expect(worker.sent.at(-1)!.transfer).toEqual([buf]);
  });

  it('rejects waiting calls when the endpoint dies, and ignores stray messages', async () => {
    const { client, stop, page } = setup();
    stop();
    const call = client.call('add', { a: 1, b: 1 });
    page.dispatchEvent(new MessageEvent('message', { data: { rpc: 'done', id: 999, value: 1 } }));
    page.dispatchEvent(new MessageEvent('message', { data: 'hello' }));
    expect(client.pending()).toBe(1);
    client.failPending(new CoachError('INTERNAL', 'worker gone'));
    await expect(call).rejects.toThrow('worker gone');
  });
});
