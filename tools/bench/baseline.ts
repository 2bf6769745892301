import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './photos';

// Builds another commit's app and bench page into .cache/bench/baseline/<commit>/dist, so that
// `npm run bench -- --baseline <commit>` measures both builds in one run (same machine, same
// load). The commit is checked out as a git worktree sharing this checkout's node_modules.

/** Bench pages of older builds were under src/; later ones under tools/bench/page/. */
const PAGES = ['/tools/bench/page/bench.html', '/src/bench/bench.html'];
const pageIn = (dist: string) => PAGES.find((p) => existsSync(join(dist, p)));
/** Where a commit builds the app with its bench page: the shared harness, or (older commits) tools/bench's own config. */
const BUILDS = [
  { config: 'tools/harness/vite.config.ts', dist: '.cache/harness-dist' },
  { config: 'tools/bench/vite.config.ts', dist: '.cache/bench/dist' },
];

export function baselineDist(commit: string, log: (m: string) => void): { dist: string; page: string } {
  const sha = git(['rev-parse', '--short', commit]).trim();
  const dir = join(REPO, '.cache/bench/baseline', sha);
  for (const b of BUILDS) {
    const dist = join(dir, 'src', b.dist);
    const built = pageIn(dist);
    if (built) return { dist, page: built };
  }
  const src = join(dir, 'src');
  if (existsSync(src)) {
    git(['worktree', 'remove', '--force', src]);
    rmSync(src, { recursive: true, force: true });
  }
  log(`baseline ${sha}: checking out and building…`);
  git(['worktree', 'add', '--detach', src, sha]);
  symlinkSync(join(REPO, 'node_modules'), join(src, 'node_modules'));
  const build = BUILDS.find((b) => existsSync(join(src, b.config)));
  if (!build) throw new Error(`baseline ${sha}: no bench build config (looked for ${BUILDS.map((b) => b.config).join(', ')})`);
  const r = spawnSync(join(REPO, 'node_modules/.bin/vite'), ['build', '--config', build.config], { cwd: src, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`baseline ${sha}: vite build failed (exit ${r.status ?? r.signal})`);
  const dist = join(src, build.dist);
  const page = pageIn(dist);
  if (!page) throw new Error(`baseline ${sha}: the build has no bench page (looked for ${PAGES.join(', ')})`);
  return { dist, page };
}

function git(args: string[]): string {
  const r = spawnSync('git', args, { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}
