import { defineConfig } from 'vitest/config';
import path from 'node:path';

export default defineConfig({
  resolve: { alias: { '@': path.resolve(__dirname) } },
  test: {
    include: ['lib/**/*.test.ts', 'cli/**/*.test.ts', 'e2e/lab/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: ['node_modules', '.next', 'e2e/**/*.spec.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
