import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensureBuild, expectedScores, FIXTURES_DIR, launchBrowser, startServers, withPage, type LaunchedBrowser, type Servers } from './lib';

// The product end to end: the demo listing form on one origin embeds the coach from another;
// a seller picks 3 real photos through the iframe's file input, reorders, confirms, and the
// form holds the files in the new order with their scores. At a phone-sized viewport, with an
// axe-core pass over the coach.

const MIN = 60_000;
const PHOTOS = ['biq-ss01-2.jpg', 'biq-ss02-38.jpg', 'coffee.png'];
let servers: Servers;
let chromium: LaunchedBrowser;

before(async () => {
  servers = await startServers({ root: ensureBuild(), mounts: { '/fixtures/': FIXTURES_DIR } });
  chromium = await launchBrowser();
});

after(async () => {
  await chromium?.close();
  await servers?.close();
});

test('pick 3 photos in the embedded coach, reorder, confirm: the form gets the files in order with scores', { timeout: 10 * MIN }, async () => {
  const url = `${servers.hostOrigin}/?coach=${encodeURIComponent(servers.coachOrigin)}`;
  await withPage(
    chromium.browser,
    url,
    async (page) => {
      const coach = page.frameLocator('iframe');
      await coach.getByTestId('file-input').setInputFiles(PHOTOS.map((p) => join(FIXTURES_DIR, 'photos', p)));
      const tiles = coach.locator('li[data-photo]');
      await assert.doesNotReject(tiles.nth(2).waitFor({ timeout: 30_000 }));
      // every photo scored, none failed
      await coach.locator('li[data-state="done"]').nth(2).waitFor({ timeout: 8 * MIN });
      assert.equal(await coach.locator('li[data-state="error"]').count(), 0);
      for (let i = 0; i < 3; i++) {
        const tile = tiles.nth(i);
        assert.match(await tile.locator('.score').innerText(), /^\d{1,3}$/);
        assert.ok((await tile.locator('.reasons li, .headline').count()) + (await tile.locator('.status[data-band="needs_work"]').count()) > 0, `tile ${i} explains its score`);
      }
      assert.deepEqual(await tiles.locator('.tile-name').allInnerTexts(), PHOTOS);

      // reorder by keyboard: focus the first photo's "Move later" and press Enter
      await tiles.nth(0).locator('button[data-action="later"]').focus();
      await page.keyboard.press('Enter');
      const order = [PHOTOS[1], PHOTOS[0], PHOTOS[2]];
      assert.deepEqual(await tiles.locator('.tile-name').allInnerTexts(), order);

      await coach.getByRole('button', { name: /use these photos/i }).click();
      const nudge = coach.getByRole('button', { name: /continue anyway/i });
      if (await nudge.isVisible().catch(() => false)) await nudge.click();

      const attached = page.getByTestId('attached-photo');
      await attached.nth(2).waitFor({ timeout: 30_000 });
      assert.equal(await attached.count(), 3);
      const rows = await attached.evaluateAll((els) => els.map((e) => ({ name: e.dataset.name, score: Number(e.dataset.score), cover: 'cover' in e.dataset })));
      assert.deepEqual(rows.map((r) => r.name), order);
      assert.deepEqual(rows.map((r) => r.cover), [true, false, false]);
      const expected = expectedScores();
      assert.ok(expected, 'tests/fixtures/expected-scores.jsonl is needed for the score check');
      for (const r of rows) assert.ok(Math.abs(r.score - expected.get(r.name!)!.overall) <= 0.5, `${r.name}: ${r.score} vs npm run score ${expected.get(r.name!)!.overall}`);
      const files = await page.evaluate(() => [...(document.querySelector<HTMLInputElement>('#photos')!.files ?? [])].map((f) => [f.name, f.size]));
      assert.deepEqual(files.map((f) => f[0]), order);
      assert.ok(files.every((f) => (f[1] as number) > 1000), 'the original files, not thumbnails');

      // phone width: nothing overflows sideways; no serious accessibility violations
      const frame = page.frames().find((f) => f.url().startsWith(servers.coachOrigin))!;
      assert.ok(await frame.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'coach overflows at 375 px');
      await frame.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
      const violations = await frame.evaluate(async () => {
        const r = await (window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> } }).axe.run();
        return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
      });
      assert.deepEqual(violations, []);
    },
    { viewport: { width: 375, height: 812 } },
  );
});
