import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';

import { launchChromium, type LaunchedBrowser } from '../../../tools/harness/chromium';

export { CHROMIUM, CHROMIUM_ARGS, type LaunchedBrowser } from '../../../tools/harness/chromium';

/** Launches Chromium with the suite's flags and a fresh temporary profile (tools/harness/chromium.ts). */
export const launchBrowser = (extraArgs: string[] = []): Promise<LaunchedBrowser> => launchChromium(extraArgs);

export interface PageLog {
  /** console messages, as "type: text". */
  console: string[];
  /** Uncaught exceptions in the page (and its frames). */
  errors: Error[];
}

/**
 * Opens `url` in a fresh context, runs `fn`, and always closes the context. Console messages
 * and uncaught page errors are collected in `log` (print them when a test fails).
 */
export async function withPage<T>(browser: Browser, url: string, fn: (page: Page, log: PageLog, context: BrowserContext) => Promise<T>, contextOptions: BrowserContextOptions = {}): Promise<T> {
  const context = await browser.newContext(contextOptions);
  const log: PageLog = { console: [], errors: [] };
  try {
    const page = await context.newPage();
    page.on('console', (m) => log.console.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => log.errors.push(e));
    await page.goto(url);
    return await fn(page, log, context);
  } catch (e) {
    if (log.console.length || log.errors.length) {
      console.error(`page log for ${url}:\n  ${[...log.console, ...log.errors.map((x) => `pageerror: ${x.message}`)].join('\n  ')}`);
    }
    throw e;
  } finally {
    await context.close().catch(() => {});
  }
}

/**
 * Presses a button as the keyboard does (focus, then Enter). With the coach in a frame of another
 * site, a headless pointer click can be routed nowhere under load (no click event fires); a key
 * press goes to the focused element.
 */
export async function tap(button: Locator): Promise<void> {
  await button.focus();
  await button.press('Enter');
}
