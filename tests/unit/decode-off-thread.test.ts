import { describe, expect, it } from 'vitest';
import { CoachError } from '../../src/core/errors';
import type { Decoded } from '../../src/core/image/decode-browser';
import { decodeOffThread } from '../../src/engine/decode-off-thread';
import type { HelperWorker } from '../../src/engine/off-thread';
import { serve } from '../../src/engine/rpc';
import type { DecodeApi } from '../../src/engine/worker-api';
import { fakeChannel } from './helpers/fake-endpoint';

// The look-ahead decode on its own worker (src/engine/decode-off-thread.ts): what the worker
// decodes comes back as it is, and whatever the worker cannot do is done here, where a bad
// file fails with its own error rather than the worker's.

function fakeDecoder(answer: (blob: Blob) => Promise<Decoded>) {
  const [page, inside] = fakeChannel();
  const seen: number[] = [];
  serve<DecodeApi>(inside, {
    async decode({ blob }) {
      seen.push(blob.size);
      return answer(blob);
    },
  });
  const worker = Object.assign(page, { terminate: () => (page.closed = inside.closed = true) }) as unknown as HelperWorker;
  return { create: () => worker, seen };
}

describe('decodeOffThread', () => {
  it('answers with what the decode worker decoded', async () => {
    const bitmap = { width: 4, height: 3, close() {} } as unknown as ImageBitmap;
    const fake = fakeDecoder(async () => ({ bitmap, width: 400, height: 300 }));
    const d = await decodeOffThread(fake.create).call({ blob: new Blob([new Uint8Array(10)]) });
    expect(d).toEqual({ bitmap, width: 400, height: 300 });
    expect(fake.seen).toEqual([10]);
  });

  it('decodes here when the worker fails, so a bad file fails with its own error', async () => {
    const fake = fakeDecoder(async () => {
      throw new CoachError('INTERNAL', 'no ImageDecoder in this worker', { userFacing: false });
    });
    const decoder = decodeOffThread(fake.create);
    await expect(decoder.call({ blob: new Blob([]) })).rejects.toMatchObject({ code: 'EMPTY_FILE' });
    expect(fake.seen).toEqual([0]);
  });

  it('decodes here when no worker can start', async () => {
    const decoder = decodeOffThread(() => {
      throw new Error('no workers here');
    });
    await expect(decoder.call({ blob: new Blob([new TextEncoder().encode('not a photo at all')]) })).rejects.toMatchObject({ code: 'NOT_AN_IMAGE' });
  });
});
