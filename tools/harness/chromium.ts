import { chromium, type Browser } from 'playwright-core';

// Debian's Chromium, headless, with WebGL on SwiftShader (real WebGL, on the CPU), for the
// browser suite and the bench. Nothing is downloaded: playwright-core only drives the installed
// binary. Each launch gets a fresh profile: playwright-core makes a temporary user-data-dir per
// launch and deletes it on close (it refuses a --user-data-dir argument).

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
export async function launchChromium(extraArgs: string[] = [], executablePath = CHROMIUM): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
  return { browser, close: () => browser.close().catch(() => {}) };
}
