import { defineConfig } from 'vite';

// Vite requires a default export. JSX goes through Vite's own transform (no React plugin needed).
export default defineConfig({
  root: 'src',
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  // `npm run dev -w @nucleon/console` next to `npm start`: the session API goes to that server,
  // through Vite, so the cookie stays same-origin.
  server: { proxy: { '/console/api': 'http://127.0.0.1:8080' } },
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 800,
  },
});
