import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The host SDK as a library: ESM (penpal left to the installing site's bundler) and a
// standalone script with penpal inside, for a <script> tag (window.PhotoCoach).
const root = resolve(import.meta.dirname, '../..');
const format = process.env.SDK_FORMAT === 'iife' ? 'iife' : 'es';

export default defineConfig({
  root,
  logLevel: 'warn',
  publicDir: false,
  build: {
    outDir: resolve(root, 'packages/sdk/dist'),
    emptyOutDir: false,
    sourcemap: true,
    lib: {
      entry: resolve(root, 'src/embed/host.ts'),
      name: 'PhotoCoach',
      formats: [format],
      fileName: () => (format === 'iife' ? 'photo-coach-sdk.iife.js' : 'photo-coach-sdk.js'),
    },
    rollupOptions: { external: format === 'es' ? ['penpal'] : [] },
  },
});
