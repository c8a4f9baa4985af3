import { readFileSync } from 'node:fs';
import path from 'node:path';
import { availableParallelism } from 'node:os';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { renderMethodPage } from './scripts/method-page.ts';

/** docs/method.md as the app's method.html (the dashboard links its sections), in dev and in builds. */
function methodPage(): Plugin {
  const source = path.resolve(import.meta.dirname, 'docs/method.md');
  const render = () => renderMethodPage(readFileSync(source, 'utf8'));
  return {
    name: 'richscope-method-page',
    configureServer(server) {
      server.middlewares.use('/method.html', (_request, response) => {
        response.setHeader('Content-Type', 'text/html; charset=utf-8');
        response.end(render());
      });
    },
    generateBundle() {
      this.addWatchFile(source);
      this.emitFile({ type: 'asset', fileName: 'method.html', source: render() });
    },
  };
}

/**
 * plotly.js's sources as src/ui/plots/plotly-partial.ts bundles them: the map traces' stylesheet,
 * which plotly's registry requires only when a map trace registers (none does here), stays out.
 */
function plotlySources(): Plugin {
  const mapStylesheet = 'maplibre-gl/dist/maplibre-gl.css';
  const nothing = '\0richscope-no-map-stylesheet';
  return {
    name: 'richscope-plotly-sources',
    enforce: 'pre',
    resolveId: (id) => (id === mapStylesheet ? nothing : null),
    load: (id) => (id === nothing ? 'export {};' : null),
  };
}

export default defineConfig({
  plugins: [react(), methodPage(), plotlySources()],
  // has-hover, a dependency of plotly.js, reads Node's `global`
  define: { global: 'globalThis' },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 6000 },
  test: {
    include: ['src/**/*.test.ts', 'workers/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    // Vitest's default in a run is one worker fewer than the cores: on CI's two cores, one file at a
    // time. Most test files keep one thread busy, so a worker a core keeps both cores working.
    maxWorkers: availableParallelism(),
  },
});
