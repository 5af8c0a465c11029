// The API server's suites: `npx vitest run --config server/vitest.config.mts`.
// Separate from the root config because they build the app once and start
// real servers (and PostgreSQL); the store keeps its own config.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  resolve: { alias: { '@': root } },
  test: {
    root,
    include: ['server/**/*.test.ts'],
    exclude: ['server/store/**', 'node_modules'],
    globalSetup: ['server/testing/globalSetup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
