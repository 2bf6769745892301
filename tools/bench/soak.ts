import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Frame, Page } from 'playwright-core';
import type { EngineMemory } from '../../src/core/engine-types';
import { BENCH_ARGS, DIST, ensureBenchBuild } from './build';
import { launchChromium } from '../harness/chromium';
import { REPO } from './photos';
import { serveStatic } from '../harness/static-server';
import { log } from './bench-page';

const HELP = `npm run bench:soak -- [options]

Scores many photos in one coach session, as a seller adding and removing them in batches would:
the built coach page in headless Chromium, photos added through its file input, every photo
scored, then all removed, batch after batch. Samples after each step, with a garbage collection
first: tensors, bytes and WebGL textures of the scoring thread (the worker), the worker's and
the page's JS heap, and the page's DOM nodes. Writes bench-results/soak-<timestamp>.json and .md.

  --photos N        photos in all (default 500)
  --batch N         photos per batch (default 25)
  --results FILE    also write the table to FILE
  --no-build        use the last build as it is
  --chromium PATH   Chromium binary (default $CHROMIUM_PATH or /usr/bin/chromium)
  -h, --help        this text`;

// Real photos of mixed sizes and formats (512² JPEGs, 600×400 PNGs, EXIF-rotated, CMYK, GIF).
const POOL = [
  'tests/fixtures/photos/biq-ss01-2.jpg',
  'tests/fixtures/photos/biq-ss02-38.jpg',
  'tests/fixtures/photos/biq-ss03-17.jpg',
  'tests/fixtures/photos/coffee.png',
  'tests/fixtures/advice/dark.png',
  'tests/fixtures/advice/blurred.png',
  'tests/fixtures/bad-input/orientation-6.jpg',
  'tests/fixtures/bad-input/cmyk.jpg',
  'tests/fixtures/bad-input/animated.gif',
  'tests/fixtures/bad-input/palette.png',
].map((p) => ({ name: basename(p), buffer: readFileSync(join(REPO, p)), mimeType: p.endsWith('.png') ? 'image/png' : p.endsWith('.gif') ? 'image/gif' : 'image/jpeg' }));

interface Sample extends EngineMemory {
  step: string;
  photosScored: number;
  pageHeapBytes: number;
  domNodes: number;
}

/**
 * The JS heap of the scoring worker, after a GC, through the DevTools protocol: a dedicated
 * worker has no performance.memory, and playwright opens sessions on pages only, so this speaks
 * to the worker's target through the browser session.
 */
async function workerHeap(browser: Browser): Promise<number | undefined> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; title: string }[] };
    const worker = targetInfos.find((t) => t.type === 'worker');
    if (!worker) return undefined;
    const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId: worker.targetId, flatten: false })) as { sessionId: string };
    let next = 0;
    const call = (method: string) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const id = ++next;
        const onMessage = (e: { sessionId?: string; message: string }) => {
          const m = JSON.parse(e.message);
          if (m.id !== id) return;
          cdp.off('Target.receivedMessageFromTarget', onMessage);
          resolve(m.result ?? {});
        };
        cdp.on('Target.receivedMessageFromTarget', onMessage);
        void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params: {} }) });
      });
    await call('HeapProfiler.collectGarbage');
    return Number((await call('Runtime.getHeapUsage')).usedSize);
  } finally {
    await cdp.detach();
  }
}

async function sample(page: Page, coach: Frame, step: string, photosScored: number): Promise<Sample> {
  const memory = (await coach.evaluate(() => (window as unknown as { photoCoachDebug: { memory(): Promise<EngineMemory> } }).photoCoachDebug.memory())) as EngineMemory;
  memory.jsHeapBytes ??= await workerHeap(page.context().browser()!);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  const dom = (await cdp.send('Memory.getDOMCounters')) as { nodes: number };
  await cdp.detach();
  return { step, photosScored, ...memory, pageHeapBytes: heap.usedSize, domNodes: dom.nodes };
}

const MiB = (b: number | undefined) => (b === undefined ? '–' : (b / 2 ** 20).toFixed(1));

function table(samples: Sample[]): string {
  const base = samples[0];
  // after the first batch is removed: what the session keeps once warm (JIT code, pools)
  const warm = samples.find((s) => s.step.endsWith('removed')) ?? base;
  const end = samples.at(-1)!;
  const peak = (k: keyof Sample) => Math.max(...samples.map((s) => Number(s[k] ?? 0)));
  const rows: [string, (s: Sample) => string, keyof Sample][] = [
    ['tensors (scoring thread)', (s) => String(s.numTensors), 'numTensors'],
    ['tensor MiB', (s) => MiB(s.numBytes), 'numBytes'],
    ['WebGL textures in use', (s) => String(s.texturesUsed ?? '–'), 'texturesUsed'],
    ['GPU MiB', (s) => MiB(s.numBytesInGPU), 'numBytesInGPU'],
    ['worker JS heap MiB', (s) => MiB(s.jsHeapBytes), 'jsHeapBytes'],
    ['page JS heap MiB', (s) => MiB(s.pageHeapBytes), 'pageHeapBytes'],
    ['page DOM nodes', (s) => String(s.domNodes), 'domNodes'],
  ];
  const fmt = (k: keyof Sample, v: number) => (/Bytes/.test(k) ? MiB(v) : String(v));
  return [
    `| | start | after the first ${warm.photosScored} | peak | end (${end.photosScored} photos) |`,
    '| --- | --- | --- | --- | --- |',
    ...rows.map(([label, show, k]) => `| ${label} | ${show(base)} | ${show(warm)} | ${base[k] === undefined ? '–' : fmt(k, peak(k))} | ${show(end)} |`),
  ].join('\n');
}

async function main() {
  const { values: o } = parseArgs({
    options: {
      photos: { type: 'string', default: '500' },
      batch: { type: 'string', default: '25' },
      results: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (o.help) return console.log(HELP);
  const total = Number(o.photos);
  const batch = Number(o.batch);
  if (!(total > 0 && batch > 0)) throw new Error('--photos and --batch must be positive numbers');
  if (!o['no-build']) ensureBenchBuild(false, log);

  const server = await serveStatic({ root: DIST, mutable: 'revalidate' });
  const { browser } = await launchChromium([...BENCH_ARGS, '--js-flags=--expose-gc'], o.chromium);
  const started = Date.now();
  const samples: Sample[] = [];
  let scored = 0;
  let failed = 0;
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    await page.goto(`${server.origin}/coach.html?debug=1`);
    const coach = page.mainFrame();
    await page.locator('.engine-ready').waitFor({ timeout: 10 * 60_000 });
    const info = await coach.evaluate(() => document.querySelector('.engine')?.textContent ?? '');
    samples.push(await sample(page, coach, 'start', 0));
    log(`engine ready (${info}); ${total} photos in batches of ${batch}`);
    for (let b = 0; scored + failed < total; b++) {
      const n = Math.min(batch, total - scored - failed);
      const files = Array.from({ length: n }, (_, i) => {
        const p = POOL[(b * batch + i) % POOL.length];
        return { ...p, name: `b${b + 1}-${i + 1}-${p.name}` };
      });
      await page.getByTestId('file-input').setInputFiles(files);
      await page.waitForFunction(() => document.querySelectorAll('li[data-state="queued"], li[data-state="scoring"]').length === 0, null, { timeout: 20 * 60_000, polling: 250 });
      const done = await page.locator('li[data-state="done"]').count();
      scored += done;
      failed += n - done;
      samples.push(await sample(page, coach, `batch ${b + 1} scored`, scored));
      // remove them all, as a seller clearing the form would
      while ((await page.locator('li[data-photo]').count()) > 0) await page.locator('li[data-photo] button[data-action="remove"]').first().click();
      samples.push(await sample(page, coach, `batch ${b + 1} removed`, scored));
      const s = samples.at(-1)!;
      process.stderr.write(`\r  ${scored}/${total} scored (${failed} failed), tensors ${s.numTensors}, worker heap ${MiB(s.jsHeapBytes)} MiB, page heap ${MiB(s.pageHeapBytes)} MiB   `);
    }
    process.stderr.write('\n');
  } finally {
    await browser.close();
    await server.close();
  }

  const seconds = (Date.now() - started) / 1000;
  const md = `Soak: ${scored} photos scored (${failed} failed) in batches of ${batch}, ${seconds.toFixed(0)} s, backend ${samples[0].backend}; samples after a GC.\n\n${table(samples)}\n`;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  mkdirSync(join(REPO, 'bench-results'), { recursive: true });
  const json = join(REPO, 'bench-results', `soak-${stamp}.json`);
  writeFileSync(json, JSON.stringify({ photos: total, batch, scored, failed, seconds, samples }, null, 2));
  writeFileSync(json.replace(/\.json$/, '.md'), md);
  if (o.results) writeFileSync(o.results, md);
  console.log(md);
  log(`wrote ${json}`);
  if (failed) process.exitCode = 1;
}

await main();
