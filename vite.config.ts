import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';
import { cacheControlFor } from './src/embed/cache-rules';

// `npm run preview` sends the cache headers production should (README "Hosting"): hashed
// assets and weight shards immutable, everything else revalidated.
const cacheHeaders: Plugin = {
  name: 'photo-coach-cache-headers',
  configurePreviewServer(server) {
    server.middlewares.use((req, res, next) => {
      res.setHeader('Cache-Control', cacheControlFor(new URL(req.url ?? '/', 'http://x').pathname));
      next();
    });
  },
};

// Two pages: the demo listing form (the host) and the coach (the guest, loaded in an iframe).
export default defineConfig({
  plugins: [react(), cacheHeaders],
  build: {
    rollupOptions: {
      input: {
        main: resolve(__dirname, 'index.html'),
        coach: resolve(__dirname, 'coach.html'),
      },
    },
  },
  worker: { format: 'es' },
});
