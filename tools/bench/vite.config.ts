import { resolve } from 'node:path';
import { defineConfig, type UserConfig } from 'vite';
import base from '../../vite.config.ts';

// The app's own build plus the bench page, into .cache/bench/dist (never dist/): the bench runs
// the same Vite pipeline and modules as production without shipping its page.
const root = resolve(import.meta.dirname, '../..');
const app = base as UserConfig;
const appInputs = (app.build?.rollupOptions?.input ?? {}) as Record<string, string>;

export default defineConfig({
  ...app,
  root,
  logLevel: 'warn',
  build: {
    ...app.build,
    outDir: resolve(root, '.cache/bench/dist'),
    emptyOutDir: true,
    rollupOptions: { ...app.build?.rollupOptions, input: { ...appInputs, bench: resolve(root, 'tools/bench/page/bench.html') } },
  },
});
