import { defineConfig } from 'vitest/config';
import path from 'node:path';

export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    include: ['lib/**/*.test.ts', 'cli/**/*.test.ts', 'collector/**/*.test.ts', 'server/store/**/*.test.ts', 'app/**/*.test.ts', 'components/**/*.test.ts', 'e2e/lab/**/*.test.ts', 'bench/**/*.test.ts', 'deploy/**/*.test.ts'],
    exclude: ['node_modules', '.next', 'e2e/**/*.spec.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
