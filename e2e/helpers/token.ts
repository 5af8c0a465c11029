/**
 * A write (ingest) token for the test cluster, made the way an operator
 * makes one: `podnet token create --cluster NAME` against the same
 * PODNET_DATA_DIR as the server. Until that command exists, the store's own
 * createToken (the same code the command calls) is used through tsx.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './server';

const TOKEN = /\bpn_[A-Za-z0-9_-]{43}\b/;

/** Creates an ingest token for `cluster` in the store under `dataDir`. */
export function createToken(cluster: string, dataDir: string): string {
  const env = { ...process.env, PODNET_DATA_DIR: dataDir, DATABASE_URL: '', NEXT_TELEMETRY_DISABLED: '1' };
  const cli = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'podnet.mjs'), 'token', 'create', '--cluster', cluster], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const fromCli = cli.status === 0 ? TOKEN.exec(cli.stdout) : null;
  if (fromCli) return fromCli[0];

  const direct = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(__dirname, 'createTokenDirect.ts'), cluster, dataDir], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const fromStore = direct.status === 0 ? TOKEN.exec(direct.stdout) : null;
  if (fromStore) return fromStore[0];
  throw new Error(
    `could not create a token for ${cluster}:\n` +
      `podnet token create (exit ${cli.status}): ${cli.stderr.slice(-800)}\n` +
      `store fallback (exit ${direct.status}): ${direct.stderr.slice(-800)}`,
  );
}
