import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type UserConfig } from 'vite';
import base from '../../vite.config.ts';

// The app's own build plus the test pages, into .cache/browser-dist (never dist/). Pages of the
// app that do not exist yet are left out, so the engine tests can run before the UI lands.
const root = resolve(import.meta.dirname, '../..');
const app = base as UserConfig;
const appInputs = (app.build?.rollupOptions?.input ?? {}) as Record<string, string>;
const input = {
  ...Object.fromEntries(Object.entries(appInputs).filter(([, file]) => existsSync(file))),
  'test-engine': resolve(root, 'tests/browser/pages/engine.html'),
};

export default defineConfig({
  ...app,
  root,
  logLevel: 'warn',
  build: {
    ...app.build,
    outDir: resolve(root, '.cache/browser-dist'),
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: { ...app.build?.rollupOptions, input },
  },
});
