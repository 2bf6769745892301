import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensureBuild, FIXTURES_DIR, launchBrowser, startServers, withPage, type LaunchedBrowser, type Servers, tap } from './lib';

// The coach explains what is wrong and coaches the retake, on the real model: a dark photo gets
// an exposure reason and tip, a blurred one a focus reason; Retake replaces a photo and shows the
// score change; a weak cover gets a note on its tile (dismissible; shown again when the listing
// page asks before submitting) and never blocks.

// Golden files: tests/fixtures/advice/*.png, remade by `npx tsx tests/fixtures/advice/make.ts` (the repository alone).
const MIN = 60_000;
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

test('reasons and tips for dark and blurred photos, retake with the score change, the weak-cover note and the SDK asking for it', { timeout: 10 * MIN }, async () => {
  await withPage(chromium.browser, `${servers.hostOrigin}/?coach=${encodeURIComponent(servers.coachOrigin)}`, async (page) => {
    const coach = page.frameLocator('iframe');
    await coach.getByTestId('file-input').setInputFiles(['dark.png', 'blurred.png'].map((f) => join(FIXTURES_DIR, 'advice', f)));
    await coach
      .locator('li[data-state="done"]')
      .nth(1)
      .waitFor({ timeout: 8 * MIN });
    const [dark, blurred] = [coach.locator('li[data-photo]').nth(0), coach.locator('li[data-photo]').nth(1)];

    const exposure = dark.locator('li[data-aspect="underexposure"]');
    assert.equal(await exposure.count(), 1, 'the dark photo names exposure');
    assert.match(await exposure.locator('.reason').innerText(), /dark/i);
    assert.match(await exposure.locator('.tip').innerText(), /window|light/i);
    assert.equal(await blurred.locator('li[data-aspect="blur"]').count(), 1, 'the blurred photo names focus');

    // the dark cover scores "needs work": a note on the cover tile, not on the other one
    const note = coach.getByTestId('cover-nudge');
    await note.waitFor({ timeout: 10_000 });
    assert.equal(await dark.getByTestId('cover-nudge').count(), 1);
    assert.equal(await blurred.getByTestId('cover-nudge').count(), 0);
    await tap(note.getByRole('button', { name: /got it/i }));
    assert.equal(await note.count(), 0);

    // submitting the form: the listing asks the coach (SDK showCoverNudge), which shows the note
    // again, focused and scrolled into view; the second press lists anyway
    await page.fill('#title', 'Keypad');
    await page.fill('#price', '900');
    const submit = async () => {
      await page.getByRole('button', { name: 'List item' }).focus();
      await page.keyboard.press('Enter');
    };
    await submit();
    await page.waitForFunction(() => /better cover/.test(document.querySelector('#submit-status')!.textContent ?? ''));
    assert.equal(await page.locator('#submit-status').getAttribute('data-photos'), null, 'the first press did not submit');
    await note.waitFor({ timeout: 10_000 });
    const frame = page.frames().find((f) => f.url().startsWith(servers.coachOrigin))!;
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'IFRAME');
    assert.equal(await frame.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid), 'cover-nudge');
    const inView = await page.evaluate(
      async (top) => {
        const frameTop = document.querySelector('iframe')!.getBoundingClientRect().top;
        return frameTop + top >= 0 && frameTop + top < innerHeight;
      },
      await frame.evaluate(() => document.querySelector('[data-testid="cover-nudge"]')!.getBoundingClientRect().top),
    );
    assert.ok(inView, 'the note is scrolled into view');
    await submit();
    await page.locator('#submit-status[data-photos]').waitFor({ state: 'attached', timeout: 10_000 });
    assert.deepEqual(
      JSON.parse((await page.locator('#submit-status').getAttribute('data-photos'))!).map((f: [string, number]) => f[0]),
      ['dark.png', 'blurred.png'],
    );

    // retake the dark photo with a good one: same slot, new score, the change shown
    const before = Number(await dark.locator('.score').innerText());
    const slot = await dark.getAttribute('data-photo');
    await coach.locator(`[data-testid="retake-input-${slot}"]`).setInputFiles(join(FIXTURES_DIR, 'photos', 'biq-ss02-38.jpg'));
    const retaken = coach.locator('li[data-photo]').nth(0);
    await retaken.locator('[data-testid="score-change"]').waitFor({ timeout: 5 * MIN });
    const afterScore = Number(await retaken.locator('.score').innerText());
    assert.ok(afterScore > before, `retake improved the score (${before} → ${afterScore})`);
    assert.match(await retaken.locator('[data-testid="score-change"]').innerText(), new RegExp(`${before}\\D+${afterScore}`));
    assert.match(await retaken.locator('.tile-name').innerText(), /biq-ss02-38\.jpg/);

    // a good cover has no note; the confirm button hands the photos over, never blocked
    assert.equal(await note.count(), 0);
    await tap(coach.getByRole('button', { name: /use these photos/i }));
    await page.waitForFunction(() => document.querySelector('[data-testid=attached-photo]')?.getAttribute('data-name') === 'biq-ss02-38.jpg');
    assert.deepEqual(await page.getByTestId('attached-photo').evaluateAll((els) => els.map((e) => e.dataset.name)), ['biq-ss02-38.jpg', 'blurred.png']);
  });
});
