import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { bigJpeg } from '../../tests/browser/lib/big-photo';
import { ensureBuild, REPO } from '../harness/build';
import { launchChromium } from '../harness/chromium';
import { serveStatic } from '../harness/static-server';

// npm run bench:fix — the memory a one-tap fix takes at full size: the browser's processes
// sampled every 20 ms while the engine previews and renders a fix of a 12, 24 and 48 MP photo
// (the last is fixed at 24 MP at most): colour and brighten, a crop (to the item, which
// loads the item locator, or in the middle where it finds none), then a straighten by 3°. Run it alone: every Chromium
// process on the machine is counted, and the time each phase takes. Writes bench-results/fix-memory-<timestamp>.json and prints a table.

const SIZES: [number, number][] = [
  [4000, 3000],
  [6000, 4000],
  [8000, 6000],
];
const MB = 1024 * 1024;

/** Resident memory of every Chromium process, in bytes. */
function chromiumRss(): number {
  const out = execFileSync('ps', ['-C', 'chromium', '-o', 'rss='], { encoding: 'utf8' }).trim();
  return out ? out.split(/\s+/).reduce((a, kb) => a + Number(kb) * 1024, 0) : 0;
}

async function main() {
  const dist = ensureBuild(false, (m) => console.error(m));
  const photos = await Promise.all(SIZES.map(([w, h]) => bigJpeg(join(REPO, 'tests/fixtures/photos/biq-ss02-38.jpg'), w, h)));
  const server = await serveStatic({ root: dist, mounts: { '/generated/': dirname(photos[0]) } });
  const { browser, close } = await launchChromium();
  const rows: Record<string, unknown>[] = [];
  try {
    const FIXES = [
      { name: 'colour + brighten', fixes: ['colour', 'exposure'] },
      { name: 'crop', fixes: ['crop'], hand: { cropIfNoItem: { size: 0.8, cx: 0.5, cy: 0.5 } } },
      // by hand, as the seller straightens: a turn of the whole photo and its largest upright crop
      { name: 'straighten', fixes: ['straighten'], hand: { straighten: 3 } },
    ];
    for (const [i, file] of photos.entries())
      for (const fix of FIXES) {
        const page = await browser.newPage();
        await page.goto(`${server.origin}/tests/browser/pages/engine.html`);
        await page.waitForFunction(() => 'harness' in window);
        const peaks: Record<string, number> = { preview: 0, render: 0 };
        let phase = 'start';
        const idle = chromiumRss();
        // the baseline: the engine loaded and warmed up, just before the fix starts
        let before = 0;
        const sampler = setInterval(() => {
          const rss = chromiumRss();
          if (phase === 'preview' && !before) before = rss;
          if (phase in peaks) peaks[phase] = Math.max(peaks[phase], rss);
        }, 20);
        const watcher = setInterval(() => {
          page
            .evaluate(() => (window as unknown as { fixPhase?: string }).fixPhase ?? 'start')
            .then((p) => (phase = p))
            .catch(() => {});
        }, 20);
        const result = await page.evaluate(
          ([url, f]) =>
            (window as unknown as { harness: { engineFix(u: string, f: string[], o: object, h?: object): Promise<unknown> } }).harness.engineFix(
              url as string,
              (f as (typeof FIXES)[number]).fixes,
              {},
              (f as (typeof FIXES)[number]).hand,
            ),
          [`/generated/${file.split('/').pop()}`, fix] as const,
        );
        clearInterval(sampler);
        clearInterval(watcher);
        const [w, h] = SIZES[i];
        rows.push({
          photo: `${w}×${h}`,
          fix: fix.name,
          megapixels: (w * h) / 1e6,
          idleMB: Math.round(idle / MB),
          beforeMB: Math.round(before / MB),
          previewPeakMB: Math.round((peaks.preview - before) / MB),
          renderPeakMB: Math.round((peaks.render - before) / MB),
          result,
        });
        await page.close();
      }
  } finally {
    await close();
    await server.close();
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = join(REPO, 'bench-results', `fix-memory-${stamp}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), loadavg: loadavg(), rows }, null, 2));
  console.log(`| photo | fix | fix output | peak above the loaded engine: preview | full-size render | time: preview | render |\n|---|---|---|---:|---:|---:|---:|`);
  for (const r of rows) {
    const res = r.result as { width?: number; height?: number; error?: unknown; previewMs?: number; renderMs?: number };
    const ms = (t?: number) => (t === undefined ? '—' : `${Math.round(t).toLocaleString('en')} ms`);
    console.log(
      `| ${r.photo} | ${r.fix} | ${res.error ? `failed: ${JSON.stringify(res.error)}` : `${res.width}×${res.height} JPEG`} | ${r.previewPeakMB} MB | ${r.renderPeakMB} MB | ${ms(res.previewMs)} | ${ms(res.renderMs)} |`,
    );
  }
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' / ')}; wrote ${out}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
