import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { ensurePhotos, PHOTO_DIR, REPO } from './photos';
import { serveStatic, type StaticServer } from '../harness/static-server';
import { BENCH_ARGS, BENCH_PAGE, DIST, ensureBenchBuild } from './build';
import { launchChromium } from '../harness/chromium';
import { baselineDist } from './baseline';
import { type Pass, summariseAb } from './ab-report';
import { log, openBenchPage } from './bench-page';

const HELP = `npm run bench:ab -- --b COMMIT [options]

Two builds' page paths (decode → advice, wasm, warm) in one browser, in alternating rounds:
each round scores the photo set once on each build, the order flipping every round. On a
shared machine, load only adds delay; a round's p25 and the median over rounds of the two
builds' ratio hold still where one bench run's p50 moves by 10–20 %. For a change of a few
milliseconds. Writes bench-results/ab-<timestamp>.json and prints a table.

  --a COMMIT      build A: a commit, or . for this working tree (default .)
  --b COMMIT      build B (required)
  --rounds N      rounds (default 12)
  --photos N      photos in the set (default 32)
  -h, --help      this text`;

interface Side {
  name: string;
  server: StaticServer;
  page: Page;
}

async function open(browser: Browser, name: string, build: { dist: string; page: string }, files: string[]): Promise<Side> {
  const server = await serveStatic({ root: build.dist, mounts: { '/bench-photos/': PHOTO_DIR }, mutable: 'revalidate' });
  const { page } = await openBenchPage(browser, `${server.origin}${build.page}`, name, false);
  const urls = files.map((f) => `${server.origin}/bench-photos/${f}`);
  await page.evaluate(([u]) => window.bench.cold('wasm', u), [urls[0]] as const);
  await page.evaluate((u) => window.bench.loadPhotos(u), urls);
  await pass({ name, server, page }, files.length); // warm-up
  return { name, server, page };
}

async function pass(side: Side, n: number): Promise<Pass> {
  const { rows } = await side.page.evaluate((limit) => window.bench.warm(limit), n);
  return { totalMs: rows.map((r) => r.totalMs), modelMs: rows.map((r) => r.modelMs) };
}

async function main() {
  const { values: o } = parseArgs({
    options: {
      a: { type: 'string', default: '.' },
      b: { type: 'string' },
      rounds: { type: 'string', default: '12' },
      photos: { type: 'string', default: '32' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (o.help) return console.log(HELP);
  if (!o.b) throw new Error('--b COMMIT is required (the build to hold this one against)');
  const rounds = Number(o.rounds);
  const nPhotos = Number(o.photos);
  if (!(rounds > 0 && nPhotos > 0)) throw new Error('--rounds and --photos take positive numbers');
  const photos = ensurePhotos(nPhotos, (i, p) => process.stderr.write(`\r  photo ${i}/${nPhotos} ${p.file}   `));
  process.stderr.write('\n');
  const buildOf = (commit: string) => {
    if (commit !== '.') return baselineDist(commit, log);
    ensureBenchBuild(false, log);
    return { dist: DIST, page: BENCH_PAGE };
  };
  const builds = [
    { name: o.a, ...buildOf(o.a) },
    { name: o.b, ...buildOf(o.b) },
  ];
  const { browser, close } = await launchChromium(BENCH_ARGS);
  const sides: Side[] = [];
  try {
    const files = photos.map((p) => p.file);
    for (const b of builds) sides.push(await open(browser, b.name, b, files));
    const load = { start: loadavg() };
    const results: { a: Pass; b: Pass }[] = [];
    for (let r = 0; r < rounds; r++) {
      const got = new Map<Side, Pass>();
      for (const s of r % 2 ? [...sides].reverse() : sides) got.set(s, await pass(s, nPhotos));
      results.push({ a: got.get(sides[0])!, b: got.get(sides[1])! });
      log(`round ${r + 1}/${rounds}`);
    }
    const summary = summariseAb(results);
    const out = { when: new Date().toISOString(), a: o.a, b: o.b, photos: nPhotos, load: { ...load, end: loadavg() }, summary, rounds: results };
    const dir = join(REPO, 'bench-results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `ab-${out.when.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(out));
    const f = (x: number) => x.toFixed(3);
    console.log(`A ${o.a} against B ${o.b}: ${rounds} rounds of ${nPhotos} photos, load average (1-minute) ${load.start[0].toFixed(1)} → ${out.load.end[0].toFixed(1)}`);
    console.log('round  A p25 ms  B p25 ms  A / B');
    summary.perRound.forEach((r, i) => console.log(`${String(i + 1).padStart(5)}  ${r.a.toFixed(1).padStart(8)}  ${r.b.toFixed(1).padStart(8)}  ${f(r.ratio)}`));
    const s = summary.ratio;
    console.log(`A / B, median over rounds: total p25 ${f(s.totalP25)}, p50 ${f(s.totalP50)}; model part p25 ${f(s.modelP25)}, p50 ${f(s.modelP50)}`);
    console.log(`middle half of the rounds (total p25): ${f(summary.spread[0])}–${f(summary.spread[1])}`);
    log(`wrote ${file}`);
  } finally {
    await close();
    for (const s of sides) await s.server.close();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
