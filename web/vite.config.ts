import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The admin inbox. `vite build --config web/vite.config.ts` writes dist/web, which the
// server serves at `/` (src/http/web-app.ts); `npm run dev:web` serves it with hot reload
// and forwards /api (the WebSocket too) to a server on ONETHREAD_API (default :3000).
const api = process.env.ONETHREAD_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.resolve(import.meta.dirname, '../dist/web'),
    emptyOutDir: true,
    sourcemap: true,
    // The production CSP allows no inline script; keep everything in files.
    assetsInlineLimit: 0,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': {
        target: api,
        ws: true,
        // The server accepts a cookie-authenticated socket only from its own origin.
        configure: (proxy) => {
          proxy.on('proxyReqWs', (request) => request.setHeader('origin', api));
        },
      },
    },
  },
});
