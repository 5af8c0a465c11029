// The store's own vitest entry until the root config's `include` lists
// server/**: `npx vitest run --config server/store/vitest.config.mts`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  resolve: { alias: { '@': root } },
  test: {
    root,
    include: ['server/store/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
