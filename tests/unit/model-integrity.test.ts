import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestOf, verifiedReader } from '../../src/core/model/integrity';
import { loadBundle } from '../../src/core/model/bundle';
import { fileReader } from '../../tools/model/io';
import { modelFileDigests } from '../../tools/model/card-files';

const MODEL = join(import.meta.dirname, '../../public/model');
const card = JSON.parse(readFileSync(join(MODEL, 'model-card.json'), 'utf8'));
/** The weight shard a part's model.json names (its file name holds its content hash). */
const shard = (part: string) => `${part}/${JSON.parse(readFileSync(join(MODEL, part, 'model.json'), 'utf8')).weightsManifest[0].paths[0]}`;

describe('model file integrity', () => {
  it('the shipped card lists every model file with its true size and SHA-256', async () => {
    expect(card.files).toEqual(await modelFileDigests(MODEL));
    expect(Object.keys(card.files)).toEqual(expect.arrayContaining(['backbone/model.json', shard('backbone'), 'head/model.json', shard('head')]));
    // each shard is named by the first 8 hex digits of its own SHA-256, so it can be cached as immutable
    for (const part of ['backbone', 'head']) expect(shard(part)).toBe(`${part}/weights.${card.files[shard(part)].sha256.slice(0, 8)}.bin`);
  });

  it("the card's version ends with a digest of its files: another model never shares its cache entry", () => {
    const content = createHash('sha256').update(JSON.stringify(card.files)).digest('hex').slice(0, 8);
    expect(card.version).toMatch(new RegExp(`^\\d+\\.\\d+\\.\\d+-\\d{4}-\\d{2}-\\d{2}\\+${content}$`));
  });

  it('digests match a known SHA-256', async () => {
    expect(await digestOf(new TextEncoder().encode('abc'))).toEqual({ bytes: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' });
  });

  const files = { 'w.bin': { bytes: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' } };
  const serving = (bytes: string) => verifiedReader(async () => new TextEncoder().encode(bytes).buffer as ArrayBuffer, files);

  it.each([
    ['abc', null],
    ['ab', /w\.bin is 2 bytes, expected 3 \(cut short\)/],
    ['abcd', /w\.bin is 4 bytes, expected 3 \(too long\)/],
    ['abd', /w\.bin has SHA-256 [0-9a-f]{64}, expected ba7816bf.* \(damaged or replaced\)/],
  ])('serving %j', async (bytes, error) => {
    const read = serving(bytes)('w.bin');
    if (error) await expect(read).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringMatching(error) });
    else await expect(read).resolves.toBeInstanceOf(ArrayBuffer);
  });

  it('loadBundle refuses a cut-short weight shard and a flipped byte, naming the file', async () => {
    const real = fileReader(MODEL);
    const tampered = (path: string, change: (b: Uint8Array) => Uint8Array) => async (p: string) => {
      const data = await real(p);
      return p === path ? (change(new Uint8Array(data.slice(0))).slice().buffer as ArrayBuffer) : data;
    };
    await expect(loadBundle(tampered(shard('head'), (b) => b.subarray(0, 1000)))).rejects.toMatchObject({
      code: 'MODEL_LOAD_FAILED',
      message: expect.stringContaining(`${shard('head')} is 1000 bytes`),
    });
    await expect(
      loadBundle(
        tampered(shard('backbone'), (b) => {
          b[12345] ^= 1;
          return b;
        }),
      ),
    ).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringContaining(`${shard('backbone')} has SHA-256`) });
    await expect(loadBundle(tampered('model-card.json', () => new TextEncoder().encode('<html>proxy error</html>')))).rejects.toMatchObject({
      code: 'MODEL_LOAD_FAILED',
      message: expect.stringContaining('model-card.json is not JSON'),
    });
  });
});

describe('a model that fails half-way through loading', () => {
  it('leaves no tensors behind', async () => {
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const real = fileReader(MODEL);
    await expect(loadBundle(async (p) => (p === shard('head') ? new ArrayBuffer(8) : real(p)))).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED' });
    expect(tf.memory().numTensors).toBe(before);
  });
});
