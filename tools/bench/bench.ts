import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, platform, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { ensurePhotos, PHOTO_DIR, REPO, type BenchPhoto } from './photos';
import { summarise, toMarkdown, type RunResult } from './report';
import { serveStatic } from '../harness/static-server';
import { BENCH_ARGS, BENCH_PAGE, DIST, ensureBenchBuild } from './build';
import { launchChromium } from '../harness/chromium';
import { baselineDist } from './baseline';
import { crossSiteServers, crossSiteVisits } from './cross-site';
import { perPhoto, withCpu } from './cpu';
import { batchResult } from './batch';
import { log, openBenchPage } from './bench-page';

const HELP = `npm run bench -- [options]

Builds the app with the bench page (if stale), serves it on 127.0.0.1, and measures it in
headless Chromium: cold start, warm per-photo time on each backend, the same photos through a
bare MobileNetV2 (nsfwjs) as the peer, the worker path, and the measured backend choice.
Writes bench-results/<timestamp>.json and .md.

  --runs N            runs per measurement; figures are medians over runs (default 3)
  --photos N          photos in the set, 0.3–12 MP (default 32)
  --backends LIST     comma-separated, of webgl,wasm,cpu (default webgl,wasm,cpu)
  --cap LIST          fewer photos for slow backends, e.g. webgl=4,cpu=4 (page and worker path;
                      the first N of the set, which still spans 0.3–12 MP)
  --worker LIST       backends to run on the worker path (default webgl,wasm; "none" to skip)
  --no-choice         skip the measured backend choice
  --batch N           N camera-sized photos added at once (the set's biggest, in turn), ours in
                      a worker against the peer with its own decode: time to the first and last
                      score (default 20; 0 skips)
  --no-cross-site     skip the cross-site visits (the demo listing page on localhost with the
                      coach from 127.0.0.1, as in production: cold, then a repeat visit)
  --no-build          use the last build as it is
  --results FILE      also write the summary table to FILE (e.g. tools/bench/RESULTS.md)
  --baseline COMMIT   also measure that commit's build on the same photos, backends and runs,
                      in the same browser, as columns "<backend> @<commit>" (page path only)
  --chromium PATH     Chromium binary (default $CHROMIUM_PATH or /usr/bin/chromium)
  --report FILE       measure nothing: print the table of a bench-results JSON again, as this
                      version of the report computes it (figures added since are worked out
                      from the rows the file kept)
  -h, --help          this text`;

/** Where each served build has its bench page (a baseline commit may have it elsewhere). */
const benchPages = new Map<string, string>();

/** A fresh context (empty HTTP cache and Cache Storage) on the bench page of the build served at `origin`. */
function openBench(browser: Browser, origin: string, tag: string): Promise<{ page: Page; close: () => Promise<void> }> {
  return openBenchPage(browser, `${origin}${benchPages.get(origin) ?? BENCH_PAGE}`, tag);
}

async function main() {
  const { values: o } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      photos: { type: 'string', default: '32' },
      backends: { type: 'string', default: 'webgl,wasm,cpu' },
      cap: { type: 'string', default: '' },
      worker: { type: 'string', default: 'webgl,wasm' },
      'no-choice': { type: 'boolean', default: false },
      'no-cross-site': { type: 'boolean', default: false },
      batch: { type: 'string', default: '20' },
      'no-build': { type: 'boolean', default: false },
      rebuild: { type: 'boolean', default: false },
      results: { type: 'string' },
      baseline: { type: 'string' },
      chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
      report: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (o.help) return console.log(HELP);
  if (o.report) {
    const saved = JSON.parse(readFileSync(o.report, 'utf8'));
    return console.log(toMarkdown(saved.meta, summarise(saved.runs, saved.meta.photoSet)));
  }
  const runs = Number(o.runs);
  const batchSize = Number(o.batch);
  const nPhotos = Number(o.photos);
  const backends = o.backends.split(',').filter(Boolean) as ('webgl' | 'wasm' | 'cpu')[];
  const caps = Object.fromEntries(
    o.cap
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('='))
      .map(([k, v]) => [k, Math.min(nPhotos, Number(v))]),
  );
  const limitFor = (backend: string) => caps[backend] ?? nPhotos;
  const workerBackends = o.worker === 'none' ? [] : (o.worker.split(',').filter(Boolean) as ('webgl' | 'wasm')[]);

  log(`photos: ${nPhotos} in ${PHOTO_DIR}`);
  const photos: BenchPhoto[] = ensurePhotos(nPhotos, (i, p) => process.stderr.write(`\r  photo ${i}/${nPhotos} ${p.file}   `));
  process.stderr.write('\n');
  if (!o['no-build']) ensureBenchBuild(o.rebuild, log);

  // production's cache headers: the repeat visit revalidates what is not content-named
  const server = await serveStatic({ root: DIST, mounts: { '/bench-photos/': PHOTO_DIR }, mutable: 'revalidate' });
  const baselineBuild = o.baseline ? baselineDist(o.baseline, log) : undefined;
  const baseline =
    baselineBuild && o.baseline ? { name: o.baseline, server: await serveStatic({ root: baselineBuild.dist, mounts: { '/bench-photos/': PHOTO_DIR }, mutable: 'revalidate' }) } : undefined;
  if (baseline && baselineBuild) benchPages.set(baseline.server.origin, baselineBuild.page);
  const crossSite = o['no-cross-site'] ? undefined : await crossSiteServers(DIST, { '/bench-photos/': PHOTO_DIR });
  const { browser } = await launchChromium(BENCH_ARGS, o.chromium);
  const urls = photos.map((p) => `${server.origin}/bench-photos/${p.file}`);
  // the first photo of the set for the cold start's first score: a mid-size one
  const firstIndex = Math.max(
    0,
    photos.findIndex((p) => p.megapixels >= 1 && p.megapixels <= 3),
  );
  const results: RunResult[] = [];
  let info: Record<string, unknown> = {};
  try {
    {
      const { page, close } = await openBench(browser, server.origin, 'info');
      info = await page.evaluate(() => window.bench.info());
      await close();
    }
    log(`renderer: ${info.renderer}`);
    for (let r = 0; r < runs; r++) {
      const run: RunResult = { backends: {}, worker: {}, loadavg: { start: loadavg() } };
      // with a baseline, the two builds take turns going first, so neither always runs on a fresher browser
      const passes = backends.flatMap((backend) => {
        const ours = { backend, key: backend, origin: server.origin };
        if (!baseline) return [ours];
        const theirs = { backend, key: `${backend} @${baseline.name}`, origin: baseline.server.origin };
        return r % 2 ? [theirs, ours] : [ours, theirs];
      });
      for (const { backend, key, origin } of passes) {
        const tag = `run ${r + 1}/${runs} ${key}`;
        const limit = limitFor(backend);
        const { page, close } = await openBench(browser, origin, tag);
        const urls = photos.map((p) => `${origin}/bench-photos/${p.file}`);
        const firstPhoto = urls[firstIndex];
        try {
          log(`[${tag}] cold start`);
          const cold = await page.evaluate(([b, u]) => window.bench.cold(b, u), [backend, firstPhoto] as const);
          await page.evaluate((u) => window.bench.loadPhotos(u), urls.slice(0, limit));
          log(`[${tag}] warm, ${limit} photos`);
          const { value: warm, cpuMs: warmCpuMs, byTypeMs: warmByType } = await withCpu(browser, () => page.evaluate((n) => window.bench.warm(n), limit));
          process.stderr.write('\n');
          // the 12 MP photo where it is affordable: the memory peak comes from the biggest photos
          const profile = await page.evaluate((i) => window.bench.profile(i), backend === 'wasm' && limit > 1 ? 1 : 0);
          const parts = backend === 'wasm' ? await page.evaluate(() => window.bench.parts()) : undefined;
          await page.evaluate(() => window.bench.releaseModel());
          log(`[${tag}] peer`);
          const peerLoad = await page.evaluate(() => window.bench.peerLoad());
          const { value: peer, cpuMs: peerCpuMs, byTypeMs: peerByType } = await withCpu(browser, () => page.evaluate((n) => window.bench.peerRun(n), limit));
          process.stderr.write('\n');
          await page.evaluate(() => window.bench.peerRelease());
          // a returning seller: same browser profile, model from Cache Storage
          await page.reload();
          await page.waitForFunction(() => document.body.dataset.ready === '1');
          log(`[${tag}] repeat visit`);
          const repeat = await page.evaluate(([b, u]) => window.bench.cold(b, u), [backend, firstPhoto] as const);
          run.backends[key] = {
            cold,
            warm,
            profile,
            parts,
            peerLoad,
            peer,
            repeat,
            cpu: { oursPerPhotoMs: warmCpuMs / limit, peerPerPhotoMs: peerCpuMs / limit, oursByTypeMs: perPhoto(warmByType, limit), peerByTypeMs: perPhoto(peerByType, limit) },
          };
        } catch (e) {
          log(`[${tag}] failed: ${(e as Error).message}`);
          run.backends[key] = { error: (e as Error).message };
        } finally {
          await close();
        }
      }
      for (const backend of workerBackends) {
        const tag = `run ${r + 1}/${runs} worker ${backend}`;
        const { page, close } = await openBench(browser, server.origin, tag);
        try {
          const limit = limitFor(backend);
          await page.evaluate((u) => window.bench.loadPhotos(u), urls.slice(0, limit));
          log(`[${tag}] ${limit} photos`);
          run.worker[backend] = await page.evaluate((b) => window.bench.worker(b), backend);
          process.stderr.write('\n');
        } catch (e) {
          log(`[${tag}] failed: ${(e as Error).message}`);
          run.worker[backend] = { error: (e as Error).message };
        } finally {
          await close();
        }
      }
      if (batchSize > 0) {
        // camera-sized: the biggest photos of the set, again in turn when there are fewer
        const big = [...photos.keys()].sort((a, b) => photos[b].megapixels - photos[a].megapixels).slice(0, Math.min(photos.length, 6));
        // with a baseline, both builds' batches in the same run, taking turns to go first
        const builds = [{ key: 'ours', origin: server.origin }, ...(baseline ? [{ key: `@${baseline.name}`, origin: baseline.server.origin }] : [])];
        for (const { key, origin } of r % 2 ? builds.reverse() : builds) {
          const tag = `run ${r + 1}/${runs} batch ${key}`;
          const { page, close } = await openBench(browser, origin, tag);
          try {
            const picked = Array.from({ length: batchSize }, (_, i) => `${origin}/bench-photos/${photos[big[i % big.length]].file}`);
            await page.evaluate((u) => window.bench.loadPhotos(u), picked);
            await page.evaluate(() => window.bench.peerLoad());
            log(`[${tag}] ${batchSize} photos at once (${[...new Set(big.map((i) => photos[i].megapixels))].join(', ')} MP)`);
            const backend = workerBackends[0] ?? 'wasm';
            const megapixels = big.map((i) => photos[i].megapixels);
            let result: ReturnType<typeof batchResult> & { megapixels: number[]; cpu?: Record<string, { wallMs: number; cpuMs: number; byTypeMs: Record<string, number> }> };
            if (key === 'ours') {
              // phase by phase, with the CPU of each (all of the browser's processes): how far 2 cores let a batch go
              await page.evaluate((b) => window.bench.batchEngine(b), backend);
              const singly = await withCpu(browser, () => page.evaluate(() => window.bench.batchPhase('singly')));
              const atOnce = await withCpu(browser, () => page.evaluate(() => window.bench.batchPhase('at-once')));
              await page.evaluate(() => window.bench.batchEngineDispose());
              const at = (arrivals: number[]) => Math.max(...arrivals);
              result = {
                ...batchResult(singly.value, atOnce.value, await page.evaluate(() => window.bench.batchPeer())),
                megapixels,
                cpu: {
                  singly: { wallMs: at(singly.value), cpuMs: singly.cpuMs, byTypeMs: singly.byTypeMs },
                  atOnce: { wallMs: at(atOnce.value), cpuMs: atOnce.cpuMs, byTypeMs: atOnce.byTypeMs },
                },
              };
            } else result = { ...(await page.evaluate((b) => window.bench.batch(b), backend)), megapixels };
            if (key === 'ours') run.batch = result;
            else run.batchBaseline = { ...result, name: baseline!.name };
            process.stderr.write('\n');
          } catch (e) {
            log(`[${tag}] failed: ${(e as Error).message}`);
            if (key === 'ours') run.batch = { error: (e as Error).message };
          } finally {
            await close();
          }
        }
      }
      if (crossSite) {
        log(`[run ${r + 1}/${runs}] cross-site: cold and repeat visit`);
        try {
          run.crossSite = await crossSiteVisits(browser, crossSite, join(PHOTO_DIR, photos[firstIndex].file));
        } catch (e) {
          log(`[run ${r + 1}/${runs} cross-site] failed: ${(e as Error).message}`);
          run.crossSite = { error: (e as Error).message };
        }
      }
      if (!o['no-choice']) {
        const { page, close } = await openBench(browser, server.origin, `run ${r + 1}/${runs} choice`);
        try {
          log(`[run ${r + 1}/${runs}] measured backend choice`);
          run.choice = await page.evaluate(() => window.bench.choice());
          log(`  → ${run.choice.choice.reason}`);
        } catch (e) {
          log(`[run ${r + 1}/${runs} choice] failed: ${(e as Error).message}`);
        } finally {
          await close();
        }
      }
      run.loadavg!.end = loadavg();
      results.push(run);
    }
  } finally {
    await browser.close().catch(() => {});
    await server.close();
    await baseline?.server.close();
    await crossSite?.close();
  }

  const meta = {
    date: new Date().toISOString(),
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).stdout.trim(),
    device: { cpu: cpus()[0]?.model, cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), os: `${platform()} ${release()}`, loadavg: (await import('node:os')).loadavg() },
    browser: { version: browser.version(), ...info },
    options: { runs, photos: nPhotos, caps, backends, worker: workerBackends, baseline: o.baseline, crossSite: !!crossSite },
    loadavgPerRun: results.map((r) => `${r.loadavg?.start[0].toFixed(1)} → ${r.loadavg?.end?.[0].toFixed(1)}`).join(', '),
    photoSet: photos.map(({ file, width, height, megapixels, bytes }) => ({ file, width, height, megapixels, bytes })),
  };
  const summary = summarise(results, photos);
  const out = join(REPO, 'bench-results');
  mkdirSync(out, { recursive: true });
  const stamp = meta.date.replace(/[:.]/g, '-');
  writeFileSync(join(out, `${stamp}.json`), JSON.stringify({ meta, summary, runs: results }, null, 2));
  const md = toMarkdown(meta, summary);
  writeFileSync(join(out, `${stamp}.md`), md);
  if (o.results) writeFileSync(join(REPO, o.results), md);
  console.log(md);
  log(`wrote bench-results/${stamp}.json`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
