import type { Browser } from 'playwright-core';

// CPU time, as Chromium counts it per process (CDP SystemInfo.getProcessInfo): a figure that
// compares across machines and loads better than wall time, since a busy machine stretches
// wall time but not the work done. Workers run in their page's renderer process.

/** Seconds of CPU all of the browser's processes have used so far. */
export async function browserCpuSeconds(browser: Browser): Promise<number> {
  const session = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = (await session.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number; cpuTime: number }[] };
    return processInfo.reduce((a, p) => a + p.cpuTime, 0);
  } finally {
    await session.detach().catch(() => {});
  }
}

/** Runs `fn` and says how much CPU the browser spent meanwhile, in ms. */
export async function withCpu<T>(browser: Browser, fn: () => Promise<T>): Promise<{ value: T; cpuMs: number }> {
  const before = await browserCpuSeconds(browser);
  const value = await fn();
  return { value, cpuMs: ((await browserCpuSeconds(browser)) - before) * 1000 };
}
