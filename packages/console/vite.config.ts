import { defineConfig } from 'vite';

// Vite requires a default export. JSX goes through Vite's own transform (no React plugin needed).
export default defineConfig({
  root: 'src',
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 800,
  },
});
