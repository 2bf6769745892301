import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { DETECTED } from '../../src/core/fix/crop';
import { loadScorer } from '../../src/core/model/scorer';
import { decodeNode } from '../../tools/model/decode-node';
import { fileReader } from '../../tools/model/io';
import { fakeCaches } from './helpers/fake-caches';

// The scorer in Node with the shipped model: WebGL cannot start here, which is exactly the
// fallback we want to see; wasm takes over (the cpu backend is too slow for a unit test).
// The browser suite covers the real thing.

const MODEL = join(import.meta.dirname, '../../public/model');

describe('loadScorer', () => {
  beforeAll(async () => {
    // in Node the .wasm files are read from disk, not fetched from the Vite URLs the scorer sets
    const dist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    const files = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;
    setWasmPaths(Object.fromEntries(files.map((f) => [f, join(dist, f)])) as Record<(typeof files)[number], string>);
    await tf.setBackend('cpu');
  });
  afterEach(() => vi.unstubAllGlobals());

  it('skips a backend that cannot start, says why, scores without leaks, and disposes everything', async () => {
    const baseline = tf.memory().numTensors;
    const scorer = await loadScorer({ modelUrl: 'unused', backends: ['webgl', 'wasm'], readFile: fileReader(MODEL) });
    expect(scorer.backend).toBe('wasm');
    expect(scorer.backendReason).toMatch(/^wasm \(skipped webgl: /);
    expect(scorer.modelVersion).toMatch(/\S/);
    const loaded = tf.memory().numTensors;
    const rgb = tf.fill([96, 128, 3], 120, 'int32') as tf.Tensor3D;
    const score = await scorer.score(rgb);
    expect(score).toMatchObject({ width: 128, height: 96 });
    expect(score.overall).toBeGreaterThanOrEqual(0);
    expect(score.overall).toBeLessThanOrEqual(100);
    expect(rgb.isDisposed).toBe(false); // the caller's tensor is the caller's
    rgb.dispose();
    expect(tf.memory().numTensors).toBe(loaded);
    scorer.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    await expect(scorer.score(tf.zeros([64, 64, 3]) as tf.Tensor3D)).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('keeps the model in Cache Storage: a second load fetches only the model card', async () => {
    const disk = fileReader(MODEL);
    const asked: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      asked.push(String(url).replace('http://coach.test/model/', ''));
      return new Response(await disk(String(url).replace('http://coach.test/model/', '')));
    });
    const { storage, stores } = fakeCaches();
    vi.stubGlobal('caches', storage);
    for (const visit of [1, 2]) {
      asked.length = 0;
      const scorer = await loadScorer({ modelUrl: 'http://coach.test/model/', backends: ['wasm'] });
      scorer.dispose();
      if (visit === 1) expect(asked.length).toBeGreaterThan(3);
      else expect(asked).toEqual(['model-card.json']);
    }
    expect(stores.size).toBe(1);
  });

  it('loads the item locator only when a crop asks, finds the item in a photo, leaves no tensors, and refuses where the model has none', async () => {
    const disk = fileReader(MODEL);
    const read: string[] = [];
    const scorer = await loadScorer({
      modelUrl: 'unused',
      backends: ['wasm'],
      readFile: async (p) => {
        read.push(p);
        return disk(p);
      },
    });
    expect(read.some((p) => p.startsWith('locator/'))).toBe(false);
    const { rgb } = await decodeNode(readFileSync(join(import.meta.dirname, '../fixtures/bad-input/upright.jpg')));
    const items = await scorer.locate(rgb);
    expect(read.filter((p) => p.startsWith('locator/')).length).toBeGreaterThan(1);
    // the figure on the left of the frame, best first, as shares of the photo
    expect(items[0].score).toBeGreaterThanOrEqual(DETECTED);
    expect(items.map((d) => d.score)).toEqual([...items.map((d) => d.score)].sort((a, b) => b - a));
    const { box } = items[0];
    expect(box.x + box.width / 2).toBeGreaterThan(0.2);
    expect(box.x + box.width / 2).toBeLessThan(0.5);
    for (const d of items) expect(Math.min(d.box.x, d.box.y, 1 - d.box.x - d.box.width, 1 - d.box.y - d.box.height)).toBeGreaterThanOrEqual(0);
    const loaded = tf.memory().numTensors;
    await scorer.locate(rgb);
    expect(tf.memory().numTensors).toBe(loaded);
    rgb.dispose();
    scorer.dispose();

    const card = JSON.parse(new TextDecoder().decode(await disk('model-card.json')));
    const files = Object.fromEntries(Object.entries(card.files).filter(([p]) => !p.startsWith('locator/')));
    const bare = new TextEncoder().encode(JSON.stringify({ ...card, locator: undefined, files })).buffer as ArrayBuffer;
    const without = await loadScorer({ modelUrl: 'unused', backends: ['wasm'], readFile: async (p) => (p === 'model-card.json' ? bare : disk(p)) });
    await expect(without.locate(tf.zeros([64, 64, 3]) as tf.Tensor3D)).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringMatching(/no item locator/) });
    without.dispose();
  });

  it('fails with MODEL_LOAD_FAILED, naming the URL and the status, without trying other backends', async () => {
    const asked: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      asked.push(String(url));
      return new Response('missing', { status: 404 });
    });
    await expect(loadScorer({ modelUrl: 'http://coach.test/model', backends: ['cpu', 'cpu'] })).rejects.toMatchObject({
      code: 'MODEL_LOAD_FAILED',
      message: 'http://coach.test/model/model-card.json answered 404',
    });
    expect(asked).toEqual(['http://coach.test/model/model-card.json']);
  });

  it('reports a network failure as MODEL_LOAD_FAILED', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(loadScorer({ modelUrl: 'http://coach.test/model/', backends: ['cpu'] })).rejects.toMatchObject({
      code: 'MODEL_LOAD_FAILED',
      message: expect.stringContaining('could not fetch http://coach.test/model/model-card.json: Failed to fetch'),
    });
  });

  it('fails with BACKEND_FAILED listing every backend tried when none can start', async () => {
    await expect(loadScorer({ modelUrl: 'unused', backends: ['webgl'], readFile: fileReader(MODEL) })).rejects.toMatchObject({
      code: 'BACKEND_FAILED',
      message: expect.stringMatching(/^no backend could run the model \(webgl: /),
    });
  });
});
