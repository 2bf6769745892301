import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildSdk } from '../../tools/sdk/build';
import { ensureBuild, FIXTURES_DIR, launchBrowser, REPO, startServers, withPage, type LaunchedBrowser, type Servers } from './lib';

// The host SDK the way a listing site gets it: `npm run build:sdk` packs it, a scratch project
// installs the tarball, imports it server-side (nothing may touch `window` at import), checks
// its types, and a page loads its standalone script to mount two coaches, destroy one and
// mount it again.

const MIN = 60_000;
let site: string;
let servers: Servers;
let chromium: LaunchedBrowser;

const sh = (cmd: string, args: string[], cwd: string) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout.trim();
};

before(async () => {
  const tarball = buildSdk();
  site = mkdtempSync(join(tmpdir(), 'listing-site-'));
  writeFileSync(join(site, 'package.json'), JSON.stringify({ name: 'listing-site', private: true, type: 'module' }));
  sh('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], site);
  servers = await startServers({ root: ensureBuild(), mounts: { '/site/': site, '/fixtures/': FIXTURES_DIR } });
  chromium = await launchBrowser();
});

after(async () => {
  await chromium?.close();
  await servers?.close();
});

test('the packed SDK installs, imports without a window, and type-checks', () => {
  const out = sh(process.execPath, ['-e', "import('@photo-coach/sdk').then((m) => console.log(typeof m.mountPhotoCoach, m.EventCodes.ORIGIN_REFUSED, m.DEFAULT_LIMITS.photos))"], site);
  assert.equal(out, 'function ORIGIN_REFUSED 20');
  writeFileSync(
    join(site, 'use.ts'),
    `import { mountPhotoCoach, type CoachEvent, type PhotoSummary } from '@photo-coach/sdk';
export function mount(el: HTMLElement) {
  const seen: PhotoSummary[][] = [];
  const coach = mountPhotoCoach(el, { origin: 'https://coach.example', limits: { photos: 10 }, onChange: (p) => seen.push(p), onEvent: (e: CoachEvent) => console.log(e.code) });
  return { coach, seen };
}
// @ts-expect-error: origin is required
mountPhotoCoach(document.body, {});
`,
  );
  writeFileSync(
    join(site, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, module: 'ESNext', moduleResolution: 'bundler', target: 'ES2022', lib: ['ES2022', 'DOM'], noEmit: true, types: [] }, files: ['use.ts'] }),
  );
  sh(join(REPO, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], site);
});

test('a page loads the standalone script, mounts two coaches, destroys one and mounts it again', { timeout: 10 * MIN }, async () => {
  const page = `<!doctype html><meta charset="utf-8"><title>site</title>
<div id="a"></div><div id="b"></div>
<script src="/site/node_modules/@photo-coach/sdk/dist/photo-coach-sdk.iife.js"></script>
<script>
  window.seen = { a: [], b: [] };
  const mount = (id) => PhotoCoach.mountPhotoCoach(document.getElementById(id), { origin: ${JSON.stringify(servers.coachOrigin)}, onChange: (p) => window.seen[id].push(p.map((x) => x.name + ':' + (x.file ? x.file.size : 0))) });
  window.coaches = { a: mount('a'), b: mount('b') };
  window.remount = () => { window.coaches.b.destroy(); window.coaches.b.destroy(); window.coaches.b = mount('b'); return document.querySelectorAll('iframe').length; };
</script>`;
  writeFileSync(join(site, 'page.html'), page);
  await withPage(chromium.browser, `${servers.hostOrigin}/site/page.html`, async (p) => {
    await p.evaluate(() => Promise.all([(window as any).coaches.a.ready, (window as any).coaches.b.ready]));
    assert.equal(await p.evaluate(() => (window as any).remount()), 2, 'destroy removes the frame; mount adds one');
    await p.evaluate(() => (window as any).coaches.b.ready);
    await p
      .frameLocator('#a iframe')
      .getByTestId('file-input')
      .setInputFiles(join(FIXTURES_DIR, 'photos', 'biq-ss01-2.jpg'));
    await p
      .frameLocator('#b iframe')
      .getByTestId('file-input')
      .setInputFiles(join(FIXTURES_DIR, 'photos', 'coffee.png'));
    await p.waitForFunction(() => (window as any).seen.a.length && (window as any).seen.b.length);
    const seen = await p.evaluate(() => (window as any).seen);
    assert.match(seen.a.at(-1)[0], /^biq-ss01-2\.jpg:\d+$/, 'coach a reports its own photo');
    assert.match(seen.b.at(-1)[0], /^coffee\.png:\d+$/, 'coach b reports its own photo');
  });
});

test('editing a listing: the coach starts with its photos, and a reset form empties it', { timeout: 10 * MIN }, async () => {
  writeFileSync(
    join(site, 'edit.html'),
    `<!doctype html><meta charset="utf-8"><title>edit</title>
<div id="c"></div>
<script src="/site/node_modules/@photo-coach/sdk/dist/photo-coach-sdk.iife.js"></script>
<script type="module">
  window.seen = [];
  const blob = await (await fetch('/fixtures/photos/biq-ss02-38.jpg')).blob();
  const photos = [new File([blob], 'listed-before.jpg', { type: 'image/jpeg' })];
  window.coach = PhotoCoach.mountPhotoCoach(document.getElementById('c'), { origin: ${JSON.stringify(servers.coachOrigin)}, photos, onChange: (p) => window.seen.push(p.map((x) => x.name)) });
</script>`,
  );
  await withPage(chromium.browser, `${servers.hostOrigin}/site/edit.html`, async (p) => {
    await p.waitForFunction(() => (window as any).seen?.some((names: string[]) => names.includes('listed-before.jpg')));
    assert.equal(await p.frameLocator('#c iframe').locator('li[data-photo]').count(), 1);
    await p.evaluate(() => (window as any).coach.reset());
    await p.waitForFunction(() => (window as any).seen.at(-1).length === 0);
    assert.equal(await p.frameLocator('#c iframe').locator('li[data-photo]').count(), 0);
  });
});
