import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensureBuild, REPO } from './lib/build';

// npm run test:browser [-- files…]: builds once (or reuses a fresh build), then runs the
// browser test files one after another with node:test (each launches its own Chromium).

const dir = join(REPO, 'tests/browser');
const args = process.argv.slice(2);
const files = args.length
  ? args
  : readdirSync(dir)
      .filter((f) => f.endsWith('.test.ts'))
      .sort()
      .map((f) => relative(REPO, join(dir, f)));

ensureBuild();
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  cwd: REPO,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
