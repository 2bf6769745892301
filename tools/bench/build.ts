import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './photos';

// The benchmarks' build of the app (plus the bench page) in .cache/bench/dist, redone only when
// an input is newer than the last build.

export const DIST = join(REPO, '.cache/bench/dist');
/** The bench page's URL path in a build. */
export const BENCH_PAGE = '/tools/bench/page/bench.html';
const STAMP = join(DIST, '.built');
const INPUTS = ['src', 'public', 'index.html', 'coach.html', 'vite.config.ts', 'tools/bench/vite.config.ts', 'tools/bench/page', 'package-lock.json'];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  return st.isDirectory() ? readdirSync(path).reduce((m, n) => Math.max(m, newest(join(path, n))), st.mtimeMs) : st.mtimeMs;
}

export function ensureBenchBuild(force: boolean, log: (m: string) => void) {
  const fresh = existsSync(STAMP) && INPUTS.every((p) => newest(join(REPO, p)) <= statSync(STAMP).mtimeMs);
  if (fresh && !force) return log('build is fresh');
  log('building (vite build) …');
  const r = spawnSync(join(REPO, 'node_modules/.bin/vite'), ['build', '--config', 'tools/bench/vite.config.ts'], { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`vite build failed (exit ${r.status ?? r.signal})`);
  writeFileSync(STAMP, new Date().toISOString());
}

/** Headless Chromium with WebGL on SwiftShader where there is no GPU, and precise heap figures. */
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
  '--enable-precise-memory-info',
];
