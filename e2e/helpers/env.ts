/**
 * Names of the environment variables the global setup fills for the specs
 * (Playwright passes the setup's process.env on to its workers).
 */
export const E2E_ENV = {
  baseURL: 'PODNET_E2E_BASE_URL',
  token: 'PODNET_E2E_TOKEN',
  dataDir: 'PODNET_E2E_DATA_DIR',
  pid: 'PODNET_E2E_SERVER_PID',
  logFile: 'PODNET_E2E_SERVER_LOG',
  lock: 'PODNET_E2E_LOCK',
} as const;

/** The cluster the server seeds from the lab's captures. */
export const DEMO_CLUSTER = 'demo';

/** A value the setup must have set; a clear error when a spec runs without it. */
export function e2eEnv(key: keyof typeof E2E_ENV): string {
  const v = process.env[E2E_ENV[key]];
  if (!v) throw new Error(`${E2E_ENV[key]} is not set: run the specs with \`npx playwright test\` (the global setup sets it)`);
  return v;
}
