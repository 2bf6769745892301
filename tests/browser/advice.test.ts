import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ensureBuild, FIXTURES_DIR, launchBrowser, startServers, withPage, type LaunchedBrowser, type Servers } from './lib';

// The coach explains what is wrong and coaches the retake, on the real model: a dark photo gets
// an exposure reason and tip, a blurred one a focus reason; Retake replaces a photo and shows the
// score change; a weak cover nudges once, dismissibly, and never blocks.

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

test('reasons and tips for dark and blurred photos, retake with the score change, one dismissible nudge', { timeout: 10 * MIN }, async () => {
  await withPage(chromium.browser, `${servers.hostOrigin}/?coach=${encodeURIComponent(servers.coachOrigin)}`, async (page) => {
    const coach = page.frameLocator('iframe');
    await coach.getByTestId('file-input').setInputFiles(['dark.png', 'blurred.png'].map((f) => join(FIXTURES_DIR, 'advice', f)));
    await coach.locator('li[data-state="done"]').nth(1).waitFor({ timeout: 8 * MIN });
    const [dark, blurred] = [coach.locator('li[data-photo]').nth(0), coach.locator('li[data-photo]').nth(1)];

    const exposure = dark.locator('li[data-aspect="underexposure"]');
    assert.equal(await exposure.count(), 1, 'the dark photo names exposure');
    assert.match(await exposure.locator('.reason').innerText(), /dark/i);
    assert.match(await exposure.locator('.tip').innerText(), /window|light/i);
    assert.equal(await blurred.locator('li[data-aspect="blur"]').count(), 1, 'the blurred photo names focus');

    // the dark cover scores "needs work": confirm nudges once, "Go back" dismisses it
    await coach.getByRole('button', { name: /use these photos/i }).click();
    const nudge = coach.getByRole('alertdialog');
    await nudge.waitFor({ timeout: 10_000 });
    await nudge.getByRole('button', { name: /go back/i }).click();
    assert.equal(await nudge.count(), 0);

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

    // confirming again never nudges a second time
    await coach.getByRole('button', { name: /use these photos/i }).click();
    await page.getByTestId('attached-photo').nth(1).waitFor({ timeout: 30_000 });
    assert.equal(await coach.getByRole('alertdialog').count(), 0);
    assert.deepEqual(await page.getByTestId('attached-photo').evaluateAll((els) => els.map((e) => e.dataset.name)), ['biq-ss02-38.jpg', 'blurred.png']);
  });
});
