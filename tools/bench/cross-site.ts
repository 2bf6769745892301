import type { Browser, Page } from 'playwright-core';
import { startServers, type Servers } from '../harness/two-sites';

// The coach as production runs it: the demo listing page on one site (http://localhost:<port>)
// with the coach in its iframe from another (http://127.0.0.1:<port>), so the frame runs out of
// process and Cache Storage is off limits there. A cold visit in a fresh profile, then a repeat
// visit in the same profile, where only the HTTP cache can spare the weights.

export interface Visit {
  /** From navigation start until the coach says it is ready (engine loaded). */
  readyMs: number;
  /** From navigation start until the first photo's score is on its tile. */
  firstScoreMs: number;
  /** Bytes over the network for the model's weight shards and for the model's other files. */
  weightsBytes: number;
  modelOtherBytes: number;
}

export interface CrossSiteResult {
  cold: Visit;
  repeat: Visit;
}

/** Serves `dist` on two sites, the coach allowing the listing page's origin only, with production's cache headers. */
export const crossSiteServers = (dist: string, mounts: Record<string, string>) => startServers({ root: dist, mounts, mutable: 'revalidate' });

async function visit(page: Page, url: string, servers: Servers, photo: string): Promise<Visit> {
  const from = servers.requests.length;
  const started = Date.now();
  await page.goto(url);
  const frame = page.frameLocator('iframe');
  await frame.getByTestId('file-input').setInputFiles([photo]);
  await frame.locator('.engine-ready').waitFor({ timeout: 5 * 60_000 });
  const readyMs = Date.now() - started;
  await frame
    .locator('li[data-state="done"]')
    .first()
    .waitFor({ timeout: 5 * 60_000 });
  const firstScoreMs = Date.now() - started;
  // the coach's server saw what the HTTP cache did not answer (the model may load in a worker,
  // whose fetches the frame's resource timings do not list)
  const model = servers.requests.slice(from).filter((r) => r.origin === 'coach' && r.path.startsWith('/model/'));
  const sum = (weights: boolean) => model.filter((r) => r.path.endsWith('.bin') === weights).reduce((a, r) => a + r.bytes, 0);
  return { readyMs, firstScoreMs, weightsBytes: sum(true), modelOtherBytes: sum(false) };
}

/** One cold and one repeat visit in a fresh browser context, scoring `photo` (a file path). */
export async function crossSiteVisits(browser: Browser, servers: Servers, photo: string): Promise<CrossSiteResult> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const url = `${servers.hostOrigin}/?coach=${encodeURIComponent(servers.coachOrigin)}`;
    const cold = await visit(page, url, servers, photo);
    const repeat = await visit(page, url, servers, photo);
    return { cold, repeat };
  } finally {
    await context.close();
  }
}
