/** After all specs: stop the server the setup started, remove its data dir, release the build lock. */
import { rmSync } from 'node:fs';
import { E2E_ENV } from './env';
import { releaseBuildLock, stopServer } from './server';

export default async function globalTeardown(): Promise<void> {
  const pid = Number(process.env[E2E_ENV.pid]);
  if (Number.isInteger(pid) && pid > 0) stopServer(pid);
  const dataDir = process.env[E2E_ENV.dataDir];
  if (dataDir && dataDir.includes('podnet-e2e-') && process.env.PODNET_E2E_KEEP_DATA !== '1') {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const lock = process.env[E2E_ENV.lock];
  if (lock) releaseBuildLock(lock);
}
