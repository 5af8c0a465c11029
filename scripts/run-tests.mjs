#!/usr/bin/env node
// Runs every test suite in order and ends with one plain summary line
// ("N passed, N failed") so a reader of the log sees the count at a glance.
// Exits non-zero if the typecheck or any suite fails.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';

const bin = (name) => `./node_modules/.bin/${name}`;
let failedSteps = 0;
let passed = 0;
let failed = 0;
let skipped = 0;

function step(title, cmd, args, env = {}) {
  console.log(`\n== ${title}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    failedSteps++;
    console.log(`== ${title} FAILED (exit ${r.status ?? r.signal})`);
  }
  return r.status === 0;
}

/** Adds a vitest JSON report's counts to the totals. */
function vitestCounts(file) {
  if (!existsSync(file)) return;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}

function vitest(title, config, report) {
  rmSync(report, { force: true });
  step(title, bin('vitest'), [
    'run',
    ...(config ? ['--config', config] : []),
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ]);
  vitestCounts(report);
}

mkdirSync('test-results', { recursive: true });
step('typecheck', bin('tsc'), ['--noEmit', '-p', '.']);

vitest('engine, CLI, collector, store and kernel-lab tests (vitest)', undefined, 'test-results/vitest.json');
vitest('API server tests against built servers on SQLite and PostgreSQL (vitest)', 'server/vitest.config.mts', 'test-results/vitest-server.json');

const pwJson = 'test-results/playwright.json';
rmSync(pwJson, { force: true });
step('browser tests (Playwright, Debian chromium)', bin('playwright'), ['test', '--reporter=list,json'], {
  PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson,
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
});
if (existsSync(pwJson)) {
  const r = JSON.parse(readFileSync(pwJson, 'utf8'));
  passed += (r.stats?.expected ?? 0) + (r.stats?.flaky ?? 0);
  failed += r.stats?.unexpected ?? 0;
  skipped += r.stats?.skipped ?? 0;
}

console.log('');
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failedSteps > 0 || failed > 0 ? 1 : 0);
