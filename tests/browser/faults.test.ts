// Golden file: tests/fixtures/expected-scores.jsonl, remade by
// `npm run --silent score -- --json tests/fixtures/photos > tests/fixtures/expected-scores.jsonl` (the repository alone: tfjs in Node).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ServerResponse } from 'node:http';
import { en } from '../../src/ui/i18n/en';
import { BUILD_DIR, ensureBuild, expectedScores, FIXTURE_PHOTOS, FIXTURES_DIR, fixtureUrl, launchBrowser, REPO, startServers, withPage, type LaunchedBrowser, type Servers, tap } from './lib';

// Faults the coach must survive: the WebGL context taken away mid-photo, the scoring worker
// dying mid-photo, and model files that are missing, cut short or damaged — each with the
// listing form still usable and a retry that works once the files are right again.

const MIN = 60_000;
const PAGE = '/tests/browser/pages/engine.html';
// the backbone's weight shard, by the name its model.json gives it (it holds its content hash)
const SHARD = `/model/backbone/${JSON.parse(readFileSync(join(REPO, 'public/model/backbone/model.json'), 'utf8')).weightsManifest[0].paths[0]}`;
type Fault = 'none' | 'missing' | 'truncated' | 'damaged';
let fault: Fault = 'none';
let servers: Servers;
let chromium: LaunchedBrowser;

function serveShard(res: ServerResponse): boolean {
  if (fault === 'none') return false;
  if (fault === 'missing') {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return true;
  }
  const bytes = readFileSync(join(BUILD_DIR, SHARD));
  const body = fault === 'truncated' ? bytes.subarray(0, bytes.length >> 1) : Buffer.from(bytes.map((b, i) => (i === 4096 ? b ^ 0xff : b)));
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length, 'cache-control': 'no-store' }).end(body);
  return true;
}

before(async () => {
  servers = await startServers({
    root: ensureBuild(),
    mounts: { '/fixtures/': FIXTURES_DIR },
    intercept: (req, res) => new URL(req.url ?? '/', 'http://x').pathname === SHARD && serveShard(res),
  });
  chromium = await launchBrowser();
});

after(async () => {
  await chromium?.close();
  await servers?.close();
});

test('WebGL context lost in the middle of a photo: that photo and the next are scored, on wasm', { timeout: 20 * MIN }, async (t) => {
  const photos = FIXTURE_PHOTOS.slice(0, 3);
  await withPage(chromium.browser, servers.hostOrigin + PAGE, async (page) => {
    await page.waitForSelector('body[data-ready]');
    const loaded = await page.evaluate(() => window.harness.load(['webgl', 'wasm'], 'use'));
    assert.ok(!('error' in loaded) && loaded.backend === 'webgl', JSON.stringify(loaded));
    const run = await page.evaluate(([urls, ms]) => window.harness.loseContextWhileScoring(urls, ms), [photos.map(fixtureUrl), 300] as const);
    assert.ok(!('error' in run), JSON.stringify(run));
    assert.equal(run.contextLost, true, 'the context really was lost');
    assert.deepEqual(
      run.results.map((r) => ('error' in r ? r.error.code : r.backend)),
      ['webgl', 'wasm', 'wasm'],
    );
    assert.equal(run.tfBackend, 'wasm');
    assert.match(run.reason, /context was lost/);
    const expected = expectedScores()!;
    run.results.forEach((r, i) => {
      if ('error' in r) return;
      assert.ok(Math.abs(r.overall - expected.get(photos[i])!.overall) <= 0.5, `${photos[i]}: ${r.overall} vs ${expected.get(photos[i])!.overall}`);
    });
    t.diagnostic(`after the loss: ${run.reason}`);
  });
});

test('a scoring worker that dies mid-photo is restarted and the photo is scored', { timeout: 10 * MIN }, async () => {
  await withPage(chromium.browser, servers.hostOrigin + PAGE, async (page) => {
    await page.waitForSelector('body[data-ready]');
    const r = await page.evaluate(([url, ms]) => window.harness.engineWorkerCrash(url, ms), [fixtureUrl(FIXTURE_PHOTOS[0]), 50] as const);
    assert.equal(r.workersStarted, 2, 'one restart');
    const want = expectedScores()!.get(FIXTURE_PHOTOS[0])!.overall;
    for (const [what, got] of Object.entries({ first: r.first, next: r.next })) {
      assert.ok(!('error' in got), `${what}: ${JSON.stringify(got)}`);
      assert.ok(Math.abs(got.overall - want) <= 0.5, `${what}: ${got.overall} vs ${want}`);
    }
  });
});

test('model files missing, cut short or damaged: a clear message, photos kept and listable, and a retry that works', { timeout: 15 * MIN }, async (t) => {
  fault = 'missing';
  await withPage(chromium.browser, `${servers.hostOrigin}/?coach=${encodeURIComponent(servers.coachOrigin)}`, async (page, log) => {
    const coach = page.frameLocator('iframe');
    const status = coach.locator('.engine');
    const tile = coach.locator('li[data-photo]').first();
    const seen: string[] = [];
    for (const f of ['missing', 'truncated', 'damaged'] as const) {
      fault = f;
      if (f === 'missing') await coach.getByTestId('file-input').setInputFiles(join(FIXTURES_DIR, 'photos', FIXTURE_PHOTOS[0]));
      else await tap(status.getByRole('button', { name: en.engineRetry }));
      await coach.locator('.engine-failed').waitFor({ timeout: 5 * MIN });
      assert.match(await status.innerText(), new RegExp(en.engineFailed.slice(0, 30)));
      await tile.locator('[role="alert"]').waitFor();
      assert.equal(await tile.locator('[role="alert"]').innerText(), en.error_MODEL_LOAD_FAILED, f);
      seen.push(f);
    }
    // why, for whoever looks at the console
    const reasons = log.console.filter((m) => m.includes(SHARD.slice('/model/'.length)));
    assert.ok(reasons.some((m) => /answered 404/.test(m)) && reasons.some((m) => /cut short/.test(m)) && reasons.some((m) => /SHA-256/.test(m)), reasons.join('\n'));
    t.diagnostic(`faults survived: ${seen.join(', ')}; the console says why:\n${reasons.join('\n')}`);
    // the listing page heard each failure as a typed event (one per failed start)
    const events = JSON.parse((await page.evaluate(() => document.body.dataset.coachEvents)) ?? '[]') as string[];
    assert.deepEqual(
      events.filter((e) => e === 'ENGINE_FAILED'),
      ['ENGINE_FAILED', 'ENGINE_FAILED', 'ENGINE_FAILED'],
      events.join(', '),
    );

    // the listing can still go ahead with the unscored photo
    await tap(coach.getByRole('button', { name: /use these photos/i }));
    await page.getByTestId('attached-photo').first().waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('attached-photo').first().getAttribute('data-score'), '');

    // the files are right again: one retry scores the photo that was waiting
    fault = 'none';
    await tap(status.getByRole('button', { name: en.engineRetry }));
    await coach.locator('.engine-ready').waitFor({ timeout: 5 * MIN });
    await coach
      .locator('li[data-state="done"]')
      .first()
      .waitFor({ timeout: 5 * MIN });
    const score = Number(await tile.locator('.score').innerText());
    assert.ok(Math.abs(score - expectedScores()!.get(FIXTURE_PHOTOS[0])!.overall) <= 1, `scored ${score}`);
  });
});
