import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// One build for the browser suite and the bench: the app plus the test pages and the bench page
// (tools/harness/vite.config.ts) into .cache/harness-dist, redone only when an input is newer
// than the last build (or PHOTO_COACH_REBUILD=1).

export const REPO = resolve(import.meta.dirname, '../..');
export const BUILD_DIR = join(REPO, '.cache/harness-dist');
export const HARNESS_VITE_CONFIG = 'tools/harness/vite.config.ts';
const STAMP = join(BUILD_DIR, '.built');
const INPUTS = ['src', 'public', 'tests/browser/pages', 'tools/bench/page', 'index.html', 'coach.html', 'vite.config.ts', HARNESS_VITE_CONFIG, 'package-lock.json'];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), st.mtimeMs);
}

export function buildIsFresh(): boolean {
  if (!existsSync(STAMP)) return false;
  const built = statSync(STAMP).mtimeMs;
  return INPUTS.every((p) => newest(join(REPO, p)) <= built);
}

/** Returns the build folder; builds first when it is missing or stale (or `force`, or PHOTO_COACH_REBUILD=1). */
export function ensureBuild(force = false, log: (m: string) => void = (m) => console.error(m)): string {
  if (!force && process.env.PHOTO_COACH_REBUILD !== '1' && buildIsFresh()) return BUILD_DIR;
  const started = Date.now();
  const r = spawnSync(join(REPO, 'node_modules/.bin/vite'), ['build', '--config', HARNESS_VITE_CONFIG], { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`vite build failed (exit ${r.status ?? r.signal})`);
  writeFileSync(STAMP, new Date().toISOString());
  log(`built ${BUILD_DIR} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return BUILD_DIR;
}
