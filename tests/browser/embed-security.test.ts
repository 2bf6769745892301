import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator, Page, Request } from 'playwright-core';
import { CHANNEL } from '../../src/embed/protocol';
import { coachCsp, hostCsp } from '../../src/embed/csp';
import { ensureBuild, FIXTURES_DIR, launchBrowser, REPO, startServers, withPage, type LaunchedBrowser, type Servers, tap } from './lib';

// The coach inside someone else's page: only the configured listing origin gets photos; a page
// on a third origin can frame the coach and speak its protocol, and still gets nothing but one
// fixed, data-free "refused" signal (so a misconfigured listing page learns it at once); the
// whole flow runs under the strict Content-Security-Policy the README documents; and no photo
// byte leaves the device.

const MIN = 60_000;
const PHOTOS = ['biq-ss01-2.jpg', 'biq-ss02-38.jpg'].map((p) => join(FIXTURES_DIR, 'photos', p));
let servers: Servers;
let attacker: Servers;
let chromium: LaunchedBrowser;

// A page on the attacker's origin that frames the coach claiming to be the real listing page,
// records every message it receives, and tries to drive the coach with the coach's own protocol.
const ATTACK_PAGE = (coachUrl: string) => `<!doctype html><meta charset="utf-8"><title>attack</title>
<iframe id="coach" src="${coachUrl}" style="width:100%;height:900px" allow="camera"></iframe>
<script>
  window.received = [];
  addEventListener('message', (e) => window.received.push({ origin: e.origin, data: JSON.stringify(e.data, (k, v) => v instanceof Blob ? '[blob ' + v.size + ']' : v) }));
  const frame = document.getElementById('coach');
  const send = () => {
    const w = frame.contentWindow;
    const penpal = { namespace: 'penpal', channel: ${JSON.stringify(CHANNEL)} };
    w.postMessage({ ...penpal, type: 'SYN', participantId: 'zzzz' }, '*');
    w.postMessage({ ...penpal, type: 'ACK1', methodPaths: [['onChange'], ['onConfirm'], ['resize']] }, '*');
    w.postMessage({ ...penpal, type: 'ACK2' }, '*');
    w.postMessage({ ...penpal, type: 'CALL', id: 'c1', methodPath: ['getPhotos'], args: [] }, '*');
    w.postMessage({ ...penpal, type: 'CALL', id: 'c2', methodPath: ['setLocale'], args: ['ja'] }, '*');
  };
  window.attack = () => { send(); return window.received.length; };
  setInterval(send, 500);
</script>`;

before(async () => {
  const root = ensureBuild();
  servers = await startServers({ root, mounts: { '/fixtures/': FIXTURES_DIR } });
  attacker = await startServers({
    root,
    intercept: (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/attack.html') return false;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(ATTACK_PAGE(url.searchParams.get('coach')!));
      return true;
    },
  });
  chromium = await launchBrowser();
});

after(async () => {
  await chromium?.close();
  await servers?.close();
  await attacker?.close();
});

/** Picks photos in the coach frame and waits until every one is scored. */
async function pickAndScore(coach: FrameLocator, files: string[]) {
  await coach.getByTestId('file-input').setInputFiles(files);
  await coach
    .locator('li[data-state="done"]')
    .nth(files.length - 1)
    .waitFor({ timeout: 8 * MIN });
}

async function confirmInCoach(coach: FrameLocator) {
  await tap(coach.getByRole('button', { name: /use these photos/i }));
}

const attachedNames = (page: Page) => page.getByTestId('attached-photo').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.name));

test('a listing page on an unlisted origin cannot receive photos, even with the real embed script', { timeout: 10 * MIN }, async () => {
  // the demo listing page itself, served from the attacker's origin, pointing at the real coach
  const started = Date.now();
  await withPage(chromium.browser, `${attacker.hostOrigin}/?coach=${encodeURIComponent(servers.coachOrigin)}`, async (page) => {
    const coach = page.frameLocator('iframe');
    // the page hears at once that it is refused (a fixed, data-free signal), not after a timeout
    await page.locator('#photo-status', { hasText: 'does not list' }).waitFor({ timeout: 3_000 });
    assert.ok(Date.now() - started < 3_000 + 2_000, 'refusal heard late');
    const status = await page.locator('#photo-status').innerText();
    await coach.getByTestId('embed-refused').waitFor({ timeout: 60_000 });
    await pickAndScore(coach, PHOTOS.slice(0, 1));
    assert.equal(await coach.getByRole('button', { name: /use these photos/i }).count(), 0, 'nothing to confirm to an unlisted page');
    assert.deepEqual(await attachedNames(page), []);
    assert.equal(await page.locator('#photo-status').innerText(), status, 'the page never hears of the photos');
    assert.equal(await page.evaluate(() => (document.querySelector('#photos') as HTMLInputElement).files?.length ?? 0), 0);
    // and the browser keeps it out of the frame's document
    await assert.rejects(page.evaluate(() => document.querySelector('iframe')!.contentWindow!.document.body.innerHTML));
  });
});

test('a third-origin page that claims to be the listing page and speaks the protocol gets nothing', { timeout: 10 * MIN }, async () => {
  const coachUrl = `${servers.coachOrigin}/coach.html?host=${encodeURIComponent(servers.hostOrigin)}`;
  await withPage(chromium.browser, `${attacker.hostOrigin}/attack.html?coach=${encodeURIComponent(coachUrl)}`, async (page) => {
    const coach = page.frameLocator('#coach');
    await coach.getByTestId('embed-refused').waitFor({ timeout: 60_000 });
    await pickAndScore(coach, PHOTOS);
    assert.equal(await coach.getByRole('button', { name: /use these photos/i }).count(), 0);
    await page.evaluate(() => (window as unknown as { attack(): number }).attack());
    await page.waitForTimeout(2000);
    const received = await page.evaluate(() => (window as unknown as { received: { origin: string; data: string }[] }).received);
    // one fixed refusal with no data in it (protocol.ts SignalMessage), and nothing else, ever
    assert.deepEqual(received, [{ origin: servers.coachOrigin, data: '{"namespace":"photo-coach","type":"refused"}' }], 'the coach answered the attacker');
    // setLocale from the attacker was not obeyed
    assert.equal(await coach.locator('html').getAttribute('lang'), 'en');
    assert.match(await coach.locator('h1').innerText(), /Photo coach/);
  });
});

// A coach page that has been tampered with (or an older, buggy one) on the real coach origin:
// it passes the origin check, so the listing page's own guards must drop what it sends.
const TAMPERED_COACH = `<!doctype html><meta charset="utf-8"><title>tampered</title><script type="module">
  import { connect, WindowMessenger } from '/vendor/penpal.mjs';
  const host = new URLSearchParams(location.search).get('host');
  const remote = await connect({ messenger: new WindowMessenger({ remoteWindow: parent, allowedOrigins: [host] }), channel: ${JSON.stringify(CHANNEL)}, methods: {} }).promise;
  const file = new File([new Uint8Array(2000)], 'x.jpg', { type: 'image/jpeg' });
  const photo = (i) => ({ id: String(i), file, name: 'p' + i + '.jpg', state: 'done', score: 80, band: 'great', cover: i === 0, model: 'm1' });
  const sent = [
    remote.onChange({ v: 1, photos: Array.from({ length: 10000 }, (_, i) => photo(i)) }),           // oversized
    remote.onChange({ v: 2, photos: [photo(0)] }),                                                 // wrong version
    remote.onChange({ v: 1, photos: [{ ...photo(0), name: 'x'.repeat(100000) }] }),                // oversized name
    remote.onChange({ v: 1, photos: [{ ...photo(0), file: 'not a file' }] }),                      // no file
    remote.onChange({ v: 1, photos: [photo(0), { ...photo(1), cover: true }] }),                   // two covers
    remote.onChange({ v: 1, photos: [photo(0), { ...photo(1), id: '0' }] }),                       // one id twice
    remote.onConfirm({ v: 1, photos: [{ file: 'not a file', name: 'a.jpg', score: 80, band: 'great', cover: true }] }),
    remote.onConfirm({ v: 1, photos: Array.from({ length: 51 }, (_, i) => ({ file, name: i + '.jpg', score: 50, band: 'ok', cover: i === 0 })) }),
    remote.onConfirm({ v: 1, photos: [{ file, name: 'a.jpg', score: 1e9, band: 'great', cover: true }] }),
    remote.resize({ v: 1, height: 'tall' }),
    remote.resize({ v: 1, height: Number.POSITIVE_INFINITY }),
    remote.onConfirm('<img src=x onerror=alert(1)>'),
    remote.onEvent({ v: 1, event: { code: 'HACKED', message: 'x' } }),                            // unknown event
    remote.onEvent({ v: 1, event: { code: 'PHOTO_FAILED', message: 'x' } }),                       // which photo?
  ];
  await Promise.allSettled(sent);
  // then one well-formed message, to show the channel itself works
  await remote.onChange({ v: 1, photos: [photo(0)] });
  document.title = 'sent';
</script>`;

test('a listing page drops malformed and oversized messages even from the coach origin', { timeout: 5 * MIN }, async () => {
  const penpal = join(REPO, 'node_modules/penpal/dist/penpal.mjs');
  const tampered = await startServers({
    root: ensureBuild(),
    intercept: (req, res, origin) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (origin !== 'coach') return false;
      if (path === '/coach.html') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(TAMPERED_COACH);
      else if (path === '/vendor/penpal.mjs') res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(penpal));
      else return false;
      return true;
    },
  });
  try {
    await withPage(chromium.browser, `${tampered.hostOrigin}/?coach=${encodeURIComponent(tampered.coachOrigin)}`, async (page, log) => {
      // only the last, well-formed message is held: one photo
      await page.locator('#photo-status', { hasText: '1 photo attached.' }).waitFor({ timeout: 60_000 });
      assert.deepEqual(await attachedNames(page), ['p0.jpg'], 'a malformed message changed the photos');
      assert.equal(await page.evaluate(() => document.body.dataset.coachEvents), undefined, 'a malformed event reached the page');
      assert.equal(await page.evaluate(() => (document.querySelector('#photos') as HTMLInputElement).files?.length ?? 0), 1);
      assert.equal(await page.locator('iframe').evaluate((f) => (f as HTMLIFrameElement).style.height), '480px', 'a malformed resize moved the frame');
      assert.deepEqual(log.errors, []);
    });
  } finally {
    await tampered.close();
  }
});

test('the embed runs under the documented strict Content-Security-Policy, and frame-ancestors keeps other pages out', { timeout: 10 * MIN }, async () => {
  const strict = await startServers({
    root: ensureBuild(),
    headers: (origin) => ({ 'content-security-policy': origin === 'host' ? hostCsp(strict.coachOrigin) : coachCsp([strict.hostOrigin]) }),
  });
  try {
    await withPage(chromium.browser, `${strict.hostOrigin}/?coach=${encodeURIComponent(strict.coachOrigin)}`, async (page, log) => {
      const coach = page.frameLocator('iframe');
      await pickAndScore(coach, PHOTOS);
      await confirmInCoach(coach);
      await page.getByTestId('attached-photo').nth(1).waitFor({ timeout: 30_000 });
      assert.equal(await page.getByTestId('attached-photo').count(), 2);
      const violations = log.console.filter((m) => /Content Security Policy|Refused to/i.test(m));
      assert.deepEqual(violations, []);
    });
    // the same coach, framed by the attacker's page: the browser refuses to render it
    const coachUrl = `${strict.coachOrigin}/coach.html?host=${encodeURIComponent(strict.hostOrigin)}`;
    await withPage(chromium.browser, `${attacker.hostOrigin}/attack.html?coach=${encodeURIComponent(coachUrl)}`, async (page) => {
      await page.waitForTimeout(3000);
      const frame = page.frames().find((f) => f !== page.mainFrame());
      assert.ok(frame, 'the iframe exists');
      assert.equal(await page.frameLocator('#coach').getByTestId('file-input').count(), 0, 'the coach must not render inside a page on another origin');
    });
  } finally {
    await strict.close();
  }
});

test('no photo bytes leave the device: every request stays on the two origins and carries no body', { timeout: 10 * MIN }, async (t) => {
  const seen: { url: string; method: string; body: number; type: string }[] = [];
  const record = (r: Request) => seen.push({ url: r.url(), method: r.method(), body: r.postDataBuffer()?.length ?? 0, type: r.resourceType() });
  const before = servers.requests.length;
  await withPage(chromium.browser, 'about:blank', async (page, _log, context) => {
    context.on('request', record);
    await page.goto(`${servers.hostOrigin}/?coach=${encodeURIComponent(servers.coachOrigin)}`);
    const coach = page.frameLocator('iframe');
    await pickAndScore(coach, PHOTOS);
    await confirmInCoach(coach);
    await page.getByTestId('attached-photo').nth(1).waitFor({ timeout: 30_000 });
    await page.fill('#title', 'Blue mug');
    await page.fill('#price', '1200');
    // by keyboard: see listing.test.ts
    await page.focus('button[type="submit"]');
    await page.keyboard.press('Enter');
    // the first photo needs work: the first press shows the coach's cover note, the second lists
    await page.getByText(/better cover photo/).waitFor();
    await page.focus('button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.getByText(/would list "Blue mug" with 2 photos/).waitFor();
  });
  const network = seen.filter((r) => !r.url.startsWith('blob:') && !r.url.startsWith('data:'));
  const origins = new Set(network.map((r) => new URL(r.url).origin));
  assert.deepEqual([...origins].sort(), [servers.hostOrigin, servers.coachOrigin].sort());
  assert.deepEqual(
    network.filter((r) => r.method !== 'GET' || r.body > 0),
    [],
    'a request carried a body',
  );
  const atServers = servers.requests.slice(before);
  assert.ok(atServers.length > 0);
  assert.deepEqual(
    atServers.filter((r) => r.method !== 'GET' || r.bodyBytes > 0),
    [],
  );
  assert.deepEqual(
    atServers.filter((r) => /biq-|\.jpg|\.png/i.test(r.url)),
    [],
    'a photo name appeared in a URL',
  );
  t.diagnostic(`${network.length} requests seen by the browser (${atServers.length} at the servers), all GET without a body, to ${[...origins].join(' and ')}`);
});
