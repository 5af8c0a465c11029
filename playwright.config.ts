/**
 * Browser tests: a real `next start` server (built once by the global setup,
 * on a throwaway PODNET_DATA_DIR so the demo cluster is seeded fresh) driven
 * by Debian's chromium. Playwright never downloads a browser here.
 */
import { defineConfig } from '@playwright/test';

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
// Playwright empties its output dir when a run starts; a run of another
// engineer in the same checkout must not delete this run's traces mid-way.
// Workers inherit the variable, so they agree on the directory.
process.env.PODNET_E2E_RUN_ID ??= `${Date.now().toString(36)}-${process.pid}`;

export default defineConfig({
  testDir: 'e2e',
  // Only *.spec.ts: vitest owns *.test.ts (e2e/lab), and the two must not cross.
  testMatch: '*.spec.ts',
  testIgnore: ['**/lab/**', '**/fixtures/**', '**/node_modules/**'],
  // One server, one store: specs that write to it must not interleave.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  outputDir: `test-results/e2e-${process.env.PODNET_E2E_RUN_ID}`,
  globalSetup: './e2e/helpers/globalSetup.ts',
  globalTeardown: './e2e/helpers/globalTeardown.ts',
  use: {
    // Set by the global setup; the `test` of e2e/helpers/fixtures.ts reads it too,
    // so specs get it whichever process evaluated this file first.
    ...(process.env.PODNET_E2E_BASE_URL ? { baseURL: process.env.PODNET_E2E_BASE_URL } : {}),
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1360, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
