import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';

// Two pages: the demo listing form (the host) and the coach (the guest, loaded in an iframe).
export default defineConfig({
  plugins: [react()],
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
