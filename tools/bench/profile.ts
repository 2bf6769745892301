import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensurePhotos, PHOTO_DIR, REPO } from './photos';
import { serveStatic } from '../harness/static-server';
import { BENCH_ARGS, BENCH_PAGE, DIST, ensureBenchBuild } from './build';
import { launchChromium } from '../harness/chromium';
import { type CpuProfile, selfTimes, type TraceEvent, traceTops } from './profile-report';
import { log, openBenchPage } from './bench-page';

const HELP = `npm run bench:profile -- [options]

Where the page path's time goes, for finding what to cut: the bench page (tools/bench/page)
scores the bench photos on wasm, warm, under Chromium's sampling profiler (self time per
function on the page's thread, per photo), and optionally under a timeline trace (time per
event on every thread: structured clones, garbage collection, image decodes, worker messages).
Also times what sending one photo's views to a helper worker costs the sending thread, and
reading a scaled JPEG's pixels through a bitmap against copying them out of the decoder's frame.
Writes bench-results/profile-<timestamp>.json and prints the tables.

  --photos N      photos in the set (default 32)
  --rounds N      passes over the photos under the profiler (default 3)
  --trace         also trace one pass (devtools.timeline and v8 categories)
  --top N         rows per table (default 20)
  --no-build      use the last build as it is
  -h, --help      this text`;

async function main() {
  const { values: o } = parseArgs({
    options: {
      photos: { type: 'string', default: '32' },
      rounds: { type: 'string', default: '3' },
      trace: { type: 'boolean', default: false },
      top: { type: 'string', default: '20' },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (o.help) return console.log(HELP);
  const nPhotos = Number(o.photos);
  const rounds = Number(o.rounds);
  const top = Number(o.top);
  if (!(nPhotos > 0 && rounds > 0 && top > 0)) throw new Error('--photos, --rounds and --top take positive numbers');
  const photos = ensurePhotos(nPhotos, (i, p) => process.stderr.write(`\r  photo ${i}/${nPhotos} ${p.file}   `));
  process.stderr.write('\n');
  if (!o['no-build']) ensureBenchBuild(false, log);
  const server = await serveStatic({ root: DIST, mounts: { '/bench-photos/': PHOTO_DIR }, mutable: 'revalidate' });
  const { browser, close } = await launchChromium(BENCH_ARGS);
  try {
    const { page, context } = await openBenchPage(browser, `${server.origin}${BENCH_PAGE}`, 'profile');
    const urls = photos.map((p) => `${server.origin}/bench-photos/${p.file}`);
    const load = { start: loadavg() };
    log('cold start and a warm-up pass');
    await page.evaluate(([u]) => window.bench.cold('wasm', u), [urls[0]] as const);
    await page.evaluate((u) => window.bench.loadPhotos(u), urls);
    await page.evaluate((n) => window.bench.warm(n), nPhotos);

    log(`${rounds} pass(es) under the sampling profiler`);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
    for (let r = 0; r < rounds; r++) await page.evaluate((n) => window.bench.warm(n), nPhotos);
    const { profile } = await cdp.send('Profiler.stop');
    const functions = selfTimes(profile as CpuProfile, rounds * nPhotos, top);

    let threads: ReturnType<typeof traceTops> | undefined;
    if (o.trace) {
      log('one pass under a timeline trace');
      await browser.startTracing(page, { categories: ['devtools.timeline', 'v8', 'disabled-by-default-devtools.timeline', 'toplevel', 'blink'] });
      await page.evaluate((n) => window.bench.warm(n), nPhotos);
      const trace = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] } | TraceEvent[];
      threads = traceTops(Array.isArray(trace) ? trace : trace.traceEvents, nPhotos, Math.min(top, 12));
    }
    log('sending a photo’s views to a worker; reading a scaled JPEG’s pixels');
    const crossing = await page.evaluate(() => window.bench.crossing());
    const frameRead = await page.evaluate(() => window.bench.frameRead());
    const result = { when: new Date().toISOString(), photos: nPhotos, rounds, load: { ...load, end: loadavg() }, functions, threads, crossing, frameRead };
    const dir = join(REPO, 'bench-results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `profile-${result.when.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(result, null, 1));
    print(result);
    log(`wrote ${file}`);
  } finally {
    await close();
    await server.close();
  }
}

function print(r: {
  load: { start: number[]; end: number[] };
  functions: ReturnType<typeof selfTimes>;
  threads?: ReturnType<typeof traceTops>;
  crossing: Awaited<ReturnType<Window['bench']['crossing']>>;
  frameRead: Awaited<ReturnType<Window['bench']['frameRead']>>;
}) {
  const ms = (x: number) => x.toFixed(2).padStart(7);
  console.log(`load average (1-minute) ${r.load.start[0].toFixed(1)} → ${r.load.end[0].toFixed(1)}`);
  console.log('\nself time on the page’s thread, ms a photo');
  for (const f of r.functions) console.log(`${ms(f.msPerPhoto)}  ${f.fn}`);
  for (const t of r.threads?.filter((t) => t.events[0]?.msPerPhoto >= 0.5) ?? []) {
    console.log(`\n${t.thread}, ms a photo (events nest: a parent includes its children)`);
    for (const e of t.events) console.log(`${ms(e.msPerPhoto)}  ${e.name} ×${e.count}`);
  }
  const c = r.crossing;
  console.log(`\none photo's views (${c.megabytes.toFixed(1)} MB) to a worker: this thread / round trip, ms`);
  for (const [way, v] of [
    ['structured clone', c.clone],
    ['copied to new arrays, moved', c.newMoved],
    ['copied to kept arrays, moved', c.keptMoved],
  ] as const)
    console.log(`${ms(v.thisThreadMs)} / ${ms(v.roundTripMs)}  ${way}`);
  const f = r.frameRead;
  console.log(
    `\na scaled JPEG's pixels (${f.photos} photos, frames ${f.formats.join(', ')}), ms: through a bitmap ${f.viaBitmapMs.toFixed(2)}, copied from the frame ${f.copiedMs.toFixed(2)}; largest difference ${f.maxDiff}`,
  );
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
