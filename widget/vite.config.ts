import path from 'node:path';
import { defineConfig } from 'vite';

// The embeddable chat widget: `vite build --config widget/vite.config.ts` writes one
// self-contained file, dist/widget/widget.js, which the server serves at /widget.js. A host
// page adds only a script tag, so there is nothing else to load: no chunks, no CSS file (the
// styles are a string the widget puts into its own shadow root).
export default defineConfig({
  root: import.meta.dirname,
  publicDir: false,
  // ASCII output (non-ASCII escaped): the file runs in pages of any encoding, and a
  // script served without a charset is decoded in the page's.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact', charset: 'ascii' },
  build: {
    outDir: path.resolve(import.meta.dirname, '../dist/widget'),
    emptyOutDir: true,
    lib: {
      entry: path.resolve(import.meta.dirname, 'src/main.tsx'),
      formats: ['iife'],
      name: 'OnethreadWidget',
      fileName: () => 'widget.js',
    },
  },
});
