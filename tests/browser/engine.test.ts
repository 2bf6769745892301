// Golden file: tests/fixtures/expected-scores.jsonl, remade by
// `npm run --silent score -- --json tests/fixtures/photos > tests/fixtures/expected-scores.jsonl` (the repository alone: tfjs in Node).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { after, before, describe, test } from 'node:test';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import type { Score } from '../../src/core/aspects';
import { ASPECTS } from '../../src/core/aspects';
import { workSize } from '../../src/core/image/views';
import { withExif } from '../fixtures/exif';
import { resizeBilinear, tile, type Rgba } from '../../tools/bench/photos';
import { ensureBuild, expectedScores, FIXTURE_PHOTOS, FIXTURES_DIR, fixtureUrl, launchBrowser, REPO, startServers, withPage, type LaunchedBrowser, type Servers } from './lib';

// The real model in headless Chromium: on WebGL (SwiftShader) and wasm, on the page's thread
// and in the worker. WebGL on SwiftShader is slow (minutes for the first photo on a busy
// machine), so it scores fewer photos than wasm does.

const PAGE = '/tests/browser/pages/engine.html';
const MIN = 60_000;
const PARITY = 0.5; // points on 0–100
const SIZES: Record<string, [number, number]> = { 'biq-ss01-2.jpg': [512, 512], 'biq-ss02-38.jpg': [512, 512], 'biq-ss03-17.jpg': [512, 512], 'coffee.png': [600, 400] };

let servers: Servers;
let chromium: LaunchedBrowser;
const wasmScores = new Map<string, Score>();

// A phone-sized photo (12 MP): the three real fixture photos and the first again, tiled 2×2 and
// upscaled, as the bench makes its photos. Written per run, scored by `npm run score` too.
const LARGE = { name: 'large-4000x3000.jpg', width: 4000, height: 3000 };
// Stored 2600×1950 with EXIF orientation 6 (shown 1950×2600): a 3/8 DCT scale, a partial last
// block row, and a quarter turn.
const TURNED = { name: 'turned-2600x1950-exif6.jpg', width: 1950, height: 2600 };
const generated = mkdtempSync(join(tmpdir(), 'coach-large-'));

function writeLargePhotos() {
  const sources = [0, 1, 2, 0].map((i) => jpeg.decode(readFileSync(join(FIXTURES_DIR, 'photos', FIXTURE_PHOTOS[i])), { useTArray: true, formatAsRGBA: true }) as Rgba);
  const tiled = tile(sources);
  writeFileSync(join(generated, LARGE.name), jpeg.encode(resizeBilinear(tiled, LARGE.width, LARGE.height), 90).data);
  writeFileSync(join(generated, TURNED.name), withExif(jpeg.encode(resizeBilinear(tiled, TURNED.height, TURNED.width), 90).data, 6));
}

before(async () => {
  const root = ensureBuild();
  writeLargePhotos();
  servers = await startServers({ root, mounts: { '/fixtures/': FIXTURES_DIR, '/generated/': generated } });
  chromium = await launchBrowser();
});

after(async () => {
  await chromium?.close();
  await servers?.close();
  rmSync(generated, { recursive: true, force: true });
});

type Scored = { url: string; score: Score; ms: number } | { error: { code: string; message: string } };

function assertValidScore(score: Score, photo: string) {
  assert.ok(Number.isFinite(score.overall) && score.overall >= 0 && score.overall <= 100, `${photo}: overall ${score.overall}`);
  assert.ok(['great', 'ok', 'needs_work'].includes(score.band), `${photo}: band ${score.band}`);
  assert.deepEqual(Object.keys(score.aspects).sort(), [...ASPECTS].sort());
  for (const [id, v] of Object.entries(score.aspects)) assert.ok(Number.isFinite(v) && v >= 0 && v <= 1, `${photo}: ${id} = ${v}`);
  assert.deepEqual([score.width, score.height], SIZES[photo]);
}

function assertParity(photo: string, got: number, want: number, what: string, within = PARITY) {
  assert.ok(Math.abs(got - want) <= within, `${photo}: ${got} vs ${what} ${want} (more than ${within} apart)`);
}

async function openHarness(page: Page) {
  await page.waitForSelector('body[data-ready]');
}

async function scoreAll(page: Page, photos: readonly string[]): Promise<Map<string, Score>> {
  const results: Scored[] = await page.evaluate((urls) => window.harness.scoreUrls(urls), photos.map(fixtureUrl));
  const out = new Map<string, Score>();
  results.forEach((r, i) => {
    assert.ok(!('error' in r), `${photos[i]}: ${JSON.stringify(r)}`);
    assertValidScore(r.score, photos[i]);
    out.set(photos[i], r.score);
  });
  return out;
}

function checkAgainstCli(scores: Map<string, Score>, t: { diagnostic(msg: string): void }) {
  const expected = expectedScores();
  if (!expected) return t.diagnostic('tests/fixtures/expected-scores.json(l) is missing: no parity check with `npm run score`');
  for (const [photo, score] of scores) {
    const want = expected.get(photo);
    if (want) assertParity(photo, score.overall, want.overall, 'npm run score');
    else t.diagnostic(`${photo}: no expected score`);
  }
}

describe('scorer on the page', { concurrency: 1 }, () => {
  test('wasm: real photos scored, same as the CLI, no tensors left after 50 scores and dispose', { timeout: 10 * MIN }, async (t) => {
    await withPage(chromium.browser, servers.hostOrigin + PAGE, async (page) => {
      await openHarness(page);
      const baseline = await page.evaluate(() => window.harness.numTensors());
      const info = await page.evaluate(() => window.harness.load(['wasm']));
      assert.ok(!('error' in info), JSON.stringify(info));
      assert.equal(info.backend, 'wasm');
      assert.equal(info.tfBackend, 'wasm');
      const scores = await scoreAll(page, FIXTURE_PHOTOS);
      for (const [k, v] of scores) wasmScores.set(k, v);
      t.diagnostic(`wasm: ${[...scores].map(([p, s]) => `${p} ${s.overall}`).join(', ')}`);
      checkAgainstCli(scores, t);

      const run = await page.evaluate((url) => window.harness.scoreRepeatedly(url, 50), fixtureUrl(FIXTURE_PHOTOS[0]));
      t.diagnostic(`wasm: ${run.msEach.toFixed(0)} ms per score over 50`);
      assert.equal(run.after, run.before, 'tensors leaked while scoring');
      assert.equal(run.min, run.max, 'the same photo scored differently');
      assert.equal(await page.evaluate(() => window.harness.dispose()), baseline, 'tensors left after dispose');
    });
  });

  test('webgl (SwiftShader): real photos scored, same as wasm and the CLI, no tensors left', { timeout: 20 * MIN }, async (t) => {
    await withPage(chromium.browser, servers.hostOrigin + PAGE, async (page) => {
      await openHarness(page);
      const baseline = await page.evaluate(() => window.harness.numTensors());
      const info = await page.evaluate(() => window.harness.load(['webgl']));
      assert.ok(!('error' in info), JSON.stringify(info));
      assert.equal(info.backend, 'webgl');
      assert.equal(info.tfBackend, 'webgl');
      t.diagnostic(`webgl: ${info.reason}; loaded and warmed up in ${(info.loadMs / 1000).toFixed(1)} s`);
      const photos = FIXTURE_PHOTOS.slice(0, 3);
      const scores = await scoreAll(page, photos);
      checkAgainstCli(scores, t);
      for (const [photo, s] of scores) {
        const w = wasmScores.get(photo);
        if (w) assertParity(photo, s.overall, w.overall, 'wasm');
      }
      const run = await page.evaluate((url) => window.harness.scoreRepeatedly(url, 2), fixtureUrl(photos[0]));
      t.diagnostic(`webgl: ${(run.msEach / 1000).toFixed(1)} s per warm score`);
      assert.equal(run.after, run.before, 'tensors leaked while scoring');
      assert.equal(await page.evaluate(() => window.harness.dispose()), baseline, 'tensors left after dispose');
    });
  });
});

const bytesOf = (b: Uint8Array) => Array.from(b);
const text = (s: string) => bytesOf(new TextEncoder().encode(s));

function pngOf(width: number, height: number): number[] {
  return bytesOf(PNG.sync.write(new PNG({ width, height, fill: true })));
}

function pngHeaderClaiming(width: number, height: number): number[] {
  const b = PNG.sync.write(new PNG({ width: 1, height: 1 }));
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return bytesOf(b);
}

describe('large photos', { concurrency: 1 }, () => {
  // A big JPEG is decoded straight to its work size by the browser's DCT scaling (WebCodecs'
  // ImageDecoder); `npm run score` applies the same scaling to its full decode (tools/model/
  // dct-scale.ts). The pixels differ by rounding only (≈ 0.6 of 255 on average): the scores agree
  // to a fraction of a point. Without WebCodecs the browser decodes in full and applies that
  // scaling itself, in bands of rows: as close.
  const LARGE_PARITY = 0.5; // points on 0–100
  const ASPECT_PARITY = 0.02;
  const PEAK_LIMIT = 400e6; // bytes; the 12 MP photo peaked at 491 MB when it became a tensor

  const cliScore = (name: string) =>
    JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', join(REPO, 'tools/score/score.ts'), '--json', join(generated, name)], { cwd: REPO, encoding: 'utf8' }).trim()) as Score;
  const aspectGap = (a: Score, b: Score) => Math.max(...Object.entries(b.aspects).map(([id, v]) => Math.abs(a.aspects[id as keyof Score['aspects']] - v)));

  test('a 12 MP photo is decoded at its work size: no full-size tensor, bounded memory, as the CLI scores it, same in the worker', { timeout: 10 * MIN }, async (t) => {
    const cli = cliScore(LARGE.name);
    await withPage(chromium.browser, servers.hostOrigin + PAGE, async (page) => {
      await openHarness(page);
      const info = await page.evaluate(() => window.harness.load(['wasm']));
      assert.ok(!('error' in info), JSON.stringify(info));
      const run = await page.evaluate((url) => window.harness.scoreProfiled(url), `/generated/${LARGE.name}`);
      t.diagnostic(
        `12 MP on the page: ${run.score.overall} (CLI ${cli.overall}); decoded ${run.decoded.join('×')}; peak ${(run.peakBytes / 1e6).toFixed(0)} MB; largest tensor ${run.largestTensor} values; largest aspect gap ${aspectGap(run.score, cli).toFixed(3)}`,
      );
      assert.equal(run.scaledDecodes, 1, 'decoded by DCT scaling');
      // measured on their own worker, beside the backbone (a worker that failed is terminated)
      assert.ok(
        page.workers().some((w) => w.url().includes('measure.worker')),
        `workers: ${page
          .workers()
          .map((w) => w.url())
          .join(', ')}`,
      );
      const work = workSize(LARGE.width, LARGE.height);
      assert.deepEqual(run.decoded, [work.width, work.height]);
      assert.deepEqual([run.score.width, run.score.height], [LARGE.width, LARGE.height]);
      assert.ok(run.largestTensor <= work.width * work.height * 3, `a kernel made a tensor of ${run.largestTensor} values`);
      assert.ok(run.peakBytes <= PEAK_LIMIT, `peak tensor memory ${run.peakBytes} bytes`);
      assertParity(LARGE.name, run.score.overall, cli.overall, 'npm run score', LARGE_PARITY);
      for (const [id, v] of Object.entries(cli.aspects)) {
        const got = run.score.aspects[id as keyof Score['aspects']];
        assert.ok(Math.abs(got - v) <= ASPECT_PARITY, `${id}: ${got} vs npm run score ${v}`);
      }

      const worker = await page.evaluate((url) => window.harness.engine([url], { backends: ['wasm'] }), `/generated/${LARGE.name}`);
      assert.ok(!('error' in worker.scores[0]), JSON.stringify(worker.scores[0]));
      assert.equal((worker.scores[0] as Score).overall, run.score.overall, 'the worker and the page decode and score alike');
    });
  });

  test('a big photo turned by EXIF comes out upright at its work size, as the CLI scores it; without WebCodecs, a full decode scaled in JS gets the same pixels', { timeout: 10 * MIN }, async (t) => {
    const cli = cliScore(TURNED.name);
    const cliLarge = cliScore(LARGE.name);
    await withPage(chromium.browser, servers.hostOrigin + PAGE, async (page) => {
      await openHarness(page);
      const info = await page.evaluate(() => window.harness.load(['wasm']));
      assert.ok(!('error' in info), JSON.stringify(info));
      const work = workSize(TURNED.width, TURNED.height);
      const run = await page.evaluate((url) => window.harness.scoreProfiled(url), `/generated/${TURNED.name}`);
      t.diagnostic(`turned: ${run.score.overall} (CLI ${cli.overall}); decoded ${run.decoded.join('×')}; largest aspect gap ${aspectGap(run.score, cli).toFixed(3)}`);
      assert.equal(run.scaledDecodes, 1, 'decoded by DCT scaling');
      assert.deepEqual(run.decoded, [work.width, work.height], 'upright: taller than wide');
      assert.deepEqual([run.score.width, run.score.height], [TURNED.width, TURNED.height]);
      assertParity(TURNED.name, run.score.overall, cli.overall, 'npm run score', LARGE_PARITY);
      assert.ok(aspectGap(run.score, cli) <= ASPECT_PARITY, `aspects ${JSON.stringify(run.score.aspects)} vs ${JSON.stringify(cli.aspects)}`);

      for (const [photo, ref, size] of [
        [TURNED.name, cli, work],
        [LARGE.name, cliLarge, workSize(LARGE.width, LARGE.height)],
      ] as const) {
        const full = await page.evaluate((url) => window.harness.scoreProfiled(url, { webCodecs: false }), `/generated/${photo}`);
        t.diagnostic(`${photo} without WebCodecs: ${full.score.overall} (CLI ${ref.overall}); largest aspect gap ${aspectGap(full.score, ref).toFixed(3)}`);
        assert.equal(full.scaledDecodes, 0);
        assert.deepEqual(full.decoded, [size.width, size.height]);
        assertParity(photo, full.score.overall, ref.overall, 'npm run score', LARGE_PARITY);
        assert.ok(aspectGap(full.score, ref) <= ASPECT_PARITY, `aspects ${JSON.stringify(full.score.aspects)} vs ${JSON.stringify(ref.aspects)}`);
      }
    });
  });
});

describe('engine', { concurrency: 1 }, () => {
  test('a returning visit loads the model from Cache Storage: only the model card is fetched', { timeout: 10 * MIN }, async () => {
    await withPage(chromium.browser, servers.hostOrigin + PAGE, async (page) => {
      await openHarness(page);
      const modelRequests = () => servers.requests.filter((r) => r.origin === 'host' && r.url.startsWith('/model/')).map((r) => r.url);
      const before = modelRequests().length;
      const first = await page.evaluate(() => window.harness.engine([], { backends: ['wasm'] }));
      assert.ok(!('error' in first.info), JSON.stringify(first.info));
      assert.equal(first.info.thread, 'worker');
      const firstVisit = modelRequests().slice(before);
      assert.ok(
        firstVisit.some((u) => u.endsWith('.bin')),
        `first visit fetched ${firstVisit.join(', ')}`,
      );
      await page.reload();
      await openHarness(page);
      const mark = modelRequests().length;
      const again = await page.evaluate(() => window.harness.engine([], { backends: ['wasm'] }));
      assert.ok(!('error' in again.info), JSON.stringify(again.info));
      assert.deepEqual(modelRequests().slice(mark), ['/model/model-card.json']);
    });
  });

  test('runs in a worker, skips software WebGL for wasm, and agrees with the page', { timeout: 10 * MIN }, async (t) => {
    await withPage(chromium.browser, servers.hostOrigin + PAGE, async (page) => {
      await openHarness(page);
      const photos = FIXTURE_PHOTOS.slice(0, 3);
      const worker = await page.evaluate((urls) => window.harness.engine(urls, {}), photos.map(fixtureUrl));
      assert.ok(!('error' in worker.info), JSON.stringify(worker.info));
      t.diagnostic(`engine: ${JSON.stringify(worker.info)}`);
      assert.equal(worker.info.thread, 'worker');
      assert.equal(worker.info.backend, 'wasm');
      assert.match(worker.info.reason, /webgl: software rendering \(.*SwiftShader.*\) is slower than wasm/);
      assert.ok(worker.info.modelVersion);
      worker.scores.forEach((s, i) => {
        assert.ok(!('error' in s), JSON.stringify(s));
        assertValidScore(s as Score, photos[i]);
        const w = wasmScores.get(photos[i]);
        if (w) assertParity(photos[i], (s as Score).overall, w.overall, 'the page');
      });

      const main = await page.evaluate((urls) => window.harness.engine(urls, { thread: 'main', backends: ['wasm'] }), photos.slice(0, 1).map(fixtureUrl));
      assert.ok(!('error' in main.info));
      assert.equal(main.info.thread, 'main');
      assert.ok(!('error' in main.scores[0]));
    });
  });

  test('bad files fail alone, with their codes, across the worker boundary', { timeout: 10 * MIN }, async () => {
    const jpeg = readFileSync(join(FIXTURES_DIR, 'photos', FIXTURE_PHOTOS[0]));
    const headersOnly = bytesOf(jpeg.subarray(0, jpeg.indexOf(Buffer.from([0xff, 0xda])) + 20)); // up to the scan, then nothing
    const heic = [0, 0, 0, 24, ...text('ftypheic'), 0, 0, 0, 0, ...text('mif1heic'), ...new Array(200).fill(0)];
    const cases: [string, number[], string][] = [
      ['empty.jpg', [], 'EMPTY_FILE'],
      ['notes.jpg', text('not a photo, just some notes\n'), 'NOT_AN_IMAGE'],
      ['drawing.svg', text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'UNSUPPORTED_FORMAT'],
      ['phone.heic', heic, 'UNSUPPORTED_FORMAT'],
      ['bomb.png', pngHeaderClaiming(20000, 20000), 'TOO_LARGE'],
      ['icon.png', pngOf(32, 32), 'TOO_SMALL'],
      ['cut.jpg', headersOnly, 'CORRUPT_IMAGE'],
      ['fine.png', pngOf(200, 150), 'OK'],
    ];
    await withPage(chromium.browser, servers.hostOrigin + PAGE, async (page) => {
      await openHarness(page);
      const files = cases.map(([name, bytes]) => ({ name, bytes }));
      const results = await page.evaluate((f) => window.harness.engineBytes(f, { backends: ['wasm'] }), files);
      const codes = results.map((r) => ('error' in r ? r.error.code : 'OK'));
      assert.deepEqual(Object.fromEntries(cases.map(([name], i) => [name, codes[i]])), Object.fromEntries(cases.map(([name, , code]) => [name, code])));
    });
  });

  test('a model that cannot be fetched fails with MODEL_LOAD_FAILED, naming the URL and the status', { timeout: 2 * MIN }, async () => {
    await withPage(chromium.browser, servers.coachOrigin + PAGE, async (page) => {
      await openHarness(page);
      const { info } = await page.evaluate(() => window.harness.engine([], { modelUrl: '/missing-model/' }));
      assert.ok('error' in info, JSON.stringify(info));
      assert.equal(info.error.code, 'MODEL_LOAD_FAILED');
      assert.equal(info.error.message, `${servers.coachOrigin}/missing-model/model-card.json answered 404`);
    });
  });

  test('cancels the running photo and drops the queued one', { timeout: 10 * MIN }, async () => {
    await withPage(chromium.browser, servers.hostOrigin + PAGE, async (page) => {
      await openHarness(page);
      const { results, started } = await page.evaluate((url) => window.harness.engineCancel(url), fixtureUrl(FIXTURE_PHOTOS[0]));
      assert.deepEqual(
        results.map((r) => ('error' in r ? r.error.code : 'OK')),
        ['CANCELLED', 'CANCELLED', 'OK'],
      );
      assert.equal(started, 2, 'the cancelled queued photo must never start');
    });
  });
});
