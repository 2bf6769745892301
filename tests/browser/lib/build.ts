import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// Builds the app and the test pages with Vite, unless the last build is newer than every input.

export const REPO = resolve(import.meta.dirname, '../../..');
export const BUILD_DIR = join(REPO, '.cache/browser-dist');
const STAMP = join(BUILD_DIR, '.built');
const INPUTS = ['src', 'public', 'tests/browser/pages', 'index.html', 'coach.html', 'vite.config.ts', 'tests/browser/vite.config.ts', 'package-lock.json'];

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

/** Returns the build folder; builds first when it is missing or stale (or PHOTO_COACH_REBUILD=1). */
export function ensureBuild(): string {
  if (process.env.PHOTO_COACH_REBUILD !== '1' && buildIsFresh()) return BUILD_DIR;
  const started = Date.now();
  const vite = join(REPO, 'node_modules/.bin/vite');
  const r = spawnSync(vite, ['build', '--config', 'tests/browser/vite.config.ts'], { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`vite build failed (exit ${r.status ?? r.signal})`);
  writeFileSync(STAMP, new Date().toISOString());
  console.error(`built ${BUILD_DIR} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return BUILD_DIR;
}
