// npm run build:sdk: builds the host SDK package (packages/sdk) — ESM, a standalone script and
// the .d.ts types — packs it with npm, and prints the tarball's path as its last line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const PKG = join(ROOT, 'packages/sdk');
const OUT = join(ROOT, '.cache/sdk');

function run(cmd: string, args: string[], env: Record<string, string> = {}, cwd = ROOT): string {
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  return r.stdout;
}

export function buildSdk(): string {
  rmSync(join(PKG, 'dist'), { recursive: true, force: true });
  for (const format of ['es', 'iife']) run(join(ROOT, 'node_modules/.bin/vite'), ['build', '--config', 'tools/sdk/vite.config.ts'], { SDK_FORMAT: format });
  run(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(PKG, 'tsconfig.json')]);
  writeFileSync(join(PKG, 'dist/index.d.ts'), "export * from './types/embed/host';\n");
  mkdirSync(OUT, { recursive: true });
  const name = run('npm', ['pack', '--pack-destination', OUT, '--silent'], {}, PKG).trim().split('\n').pop()!;
  return join(OUT, name);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--help')) console.log('npm run build:sdk — builds and packs packages/sdk; prints the tarball path last');
  else console.log(buildSdk());
}
