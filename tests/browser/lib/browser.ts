import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

// Debian's Chromium, headless, with WebGL on SwiftShader (real WebGL, on the CPU). Nothing is
// downloaded: playwright-core only drives the installed binary. Each launch gets a fresh
// profile: playwright-core makes a new temporary user-data-dir per launch and deletes it on
// close (it refuses a --user-data-dir argument).

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
];

export interface LaunchedBrowser {
  browser: Browser;
  /** Closes the browser (and with it its temporary profile). */
  close(): Promise<void>;
}

/** Launches Chromium with a fresh temporary profile. */
export async function launchBrowser(extraArgs: string[] = []): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
  return { browser, close: () => browser.close().catch(() => {}) };
}

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
export async function withPage<T>(
  browser: Browser,
  url: string,
  fn: (page: Page, log: PageLog, context: BrowserContext) => Promise<T>,
  contextOptions: BrowserContextOptions = {},
): Promise<T> {
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
