import { resolve } from 'node:path';
import { defineConfig, type UserConfig } from 'vite';
import base from '../../vite.config.ts';

// The app's own build plus the browser suite's test pages and the bench page, into
// .cache/harness-dist (never dist/): both run the same Vite pipeline and modules as production
// without shipping their pages.
const root = resolve(import.meta.dirname, '../..');
const app = base as UserConfig;
const appInputs = (app.build?.rollupOptions?.input ?? {}) as Record<string, string>;

export default defineConfig({
  ...app,
  root,
  logLevel: 'warn',
  build: {
    ...app.build,
    outDir: resolve(root, '.cache/harness-dist'),
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      ...app.build?.rollupOptions,
      input: { ...appInputs, 'test-engine': resolve(root, 'tests/browser/pages/engine.html'), bench: resolve(root, 'tools/bench/page/bench.html') },
    },
  },
});
