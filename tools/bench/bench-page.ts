import type { Browser, BrowserContext, Page } from 'playwright-core';

// What every bench tool does with the bench page (tools/bench/page): open it fresh and log.

/** A line on stderr after the time of day. */
export const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);

/**
 * The bench page at `url` in a fresh context (empty HTTP cache and Cache Storage), once it says
 * it is ready: its errors logged under `tag`, and its progress lines on stderr unless
 * `progress` is false.
 */
export async function openBenchPage(browser: Browser, url: string, tag: string, progress = true): Promise<{ page: Page; context: BrowserContext; close: () => Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => log(`  [${tag}] page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && log(`  [${tag}] console: ${m.text()}`));
  await page.exposeFunction('benchProgress', (m: string) => progress && process.stderr.write(`\r  [${tag}] ${m}        `));
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready === '1');
  return { page, context, close: () => context.close() };
}
