import type { Browser } from 'playwright-core';

// CPU time, as Chromium counts it per process (CDP SystemInfo.getProcessInfo): a figure that
// compares across machines and loads better than wall time, since a busy machine stretches
// wall time but not the work done. Workers run in their page's renderer process; the GPU
// process is where SwiftShader draws, so work that goes through a canvas or a GPU-backed
// bitmap shows there.

/** Seconds of CPU the browser's processes have used so far, in all and by process type. */
export async function browserCpu(browser: Browser): Promise<{ total: number; byType: Record<string, number> }> {
  const session = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = (await session.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number; cpuTime: number }[] };
    const byType: Record<string, number> = {};
    for (const p of processInfo) byType[p.type] = (byType[p.type] ?? 0) + p.cpuTime;
    return { total: processInfo.reduce((a, p) => a + p.cpuTime, 0), byType };
  } finally {
    await session.detach().catch(() => {});
  }
}

/**
 * Runs `fn` and says how much CPU the browser spent meanwhile, in ms, in all and by process
 * type (a process that ended meanwhile is left out of `byTypeMs`, whose sum may then fall short).
 */
export async function withCpu<T>(browser: Browser, fn: () => Promise<T>): Promise<{ value: T; cpuMs: number; byTypeMs: Record<string, number> }> {
  const before = await browserCpu(browser);
  const value = await fn();
  const after = await browserCpu(browser);
  const byTypeMs: Record<string, number> = {};
  for (const [type, s] of Object.entries(after.byType)) byTypeMs[type] = Math.max(0, (s - (before.byType[type] ?? 0)) * 1000);
  return { value, cpuMs: (after.total - before.total) * 1000, byTypeMs };
}

/** Each process type's CPU divided by `n` (photos), in ms. */
export function perPhoto(byTypeMs: Record<string, number>, n: number): Record<string, number> {
  return Object.fromEntries(Object.entries(byTypeMs).map(([type, ms]) => [type, ms / n]));
}

/** `renderer 80, gpu 20` — the types that spent at least 1 ms, busiest first. */
export function byTypeText(byTypeMs: Record<string, number>): string {
  return Object.entries(byTypeMs)
    .filter(([, ms]) => ms >= 1)
    .sort((a, b) => b[1] - a[1])
    .map(([type, ms]) => `${type.toLowerCase()} ${Math.round(ms)}`)
    .join(', ');
}
