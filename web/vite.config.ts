import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The admin inbox and the customer portal, two entries of one build. `vite build --config
// web/vite.config.ts` writes dist/web (index.html, portal/index.html), which the server
// serves at `/` and at /portal and /contact (src/http/web-app.ts); the portal loads only
// its own small bundle. `npm run dev:web` serves both with hot reload (the portal at
// /portal/) and forwards /api (the WebSocket too) to a server on ONETHREAD_API (default :3000).
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
    rollupOptions: {
      input: {
        admin: path.resolve(import.meta.dirname, 'index.html'),
        portal: path.resolve(import.meta.dirname, 'portal/index.html'),
      },
      // Both entries load React from one cached file; each has its own code besides.
      output: { manualChunks: (id) => (/node_modules\/(react|react-dom|scheduler)\//.test(id) ? 'react' : undefined) },
    },
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
