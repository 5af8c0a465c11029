#!/usr/bin/env node
// Runs every test suite in order and ends with one plain summary line
// ("N passed, N failed") so a reader of the log sees the count at a glance.
// Exits non-zero if the typecheck or any suite fails.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';

const bin = (name) => `./node_modules/.bin/${name}`;
let failedSteps = 0;
let passed = 0;
let failed = 0;
let skipped = 0;

function step(title, cmd, args) {
  console.log(`\n== ${title}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    failedSteps++;
    console.log(`== ${title} FAILED (exit ${r.status ?? r.signal})`);
  }
  return r.status === 0;
}

mkdirSync('test-results', { recursive: true });
step('typecheck', bin('tsc'), ['--noEmit', '-p', '.']);

const vitestJson = 'test-results/vitest.json';
step('unit, CLI and kernel-lab tests (vitest)', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestJson}`,
]);
if (existsSync(vitestJson)) {
  const r = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}

const pwJson = 'test-results/playwright.json';
process.env.PLAYWRIGHT_JSON_OUTPUT_NAME = pwJson;
process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
step('browser tests (Playwright, Debian chromium)', bin('playwright'), ['test', '--reporter=list,json']);
if (existsSync(pwJson)) {
  const r = JSON.parse(readFileSync(pwJson, 'utf8'));
  passed += (r.stats?.expected ?? 0) + (r.stats?.flaky ?? 0);
  failed += r.stats?.unexpected ?? 0;
  skipped += r.stats?.skipped ?? 0;
}

console.log('');
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failedSteps > 0 || failed > 0 ? 1 : 0);
