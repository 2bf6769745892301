import { BUILD_DIR, ensureBuild } from '../harness/build';

// The bench runs the shared harness's build (the app plus the bench page, tools/harness) in the
// harness's Chromium, with precise heap figures.

export const DIST = BUILD_DIR;
/** The bench page's URL path in a build. */
export const BENCH_PAGE = '/tools/bench/page/bench.html';

export function ensureBenchBuild(force: boolean, log: (m: string) => void) {
  ensureBuild(force, log);
}

/** Besides the harness's flags (tools/harness/chromium.ts): heap figures that are not rounded. */
export const BENCH_ARGS = ['--enable-precise-memory-info'];
