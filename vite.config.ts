import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

import { methodPagePlugin } from './scripts/method-page.ts';

export default defineConfig({
  plugins: [react(), methodPagePlugin()],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 6000 },
  test: {
    include: ['src/**/*.test.ts', 'workers/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
