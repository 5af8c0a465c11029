/**
 * A throwaway PostgreSQL server for the store's tests and benchmark: initdb
 * in a temp dir, started on a free 127.0.0.1 port with its socket in that
 * dir, a generated password (scram-sha-256, nothing guessable), stopped and
 * deleted afterwards. Uses the Debian `postgresql` package's binaries under
 * /usr/lib/postgresql/<version>/bin (or PODNET_PG_BIN).
 *
 * Missing binaries are an error, never a skip: a green run must mean the
 * PostgreSQL store was exercised.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** A running throwaway server. */
export interface PostgresServer {
  /** URL of the `postgres` maintenance database, with the generated password. */
  adminUrl: string;
  port: number;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server and deletes its directory. Safe to call twice. */
  stop(): void;
}

const PG_ROOT = '/usr/lib/postgresql';

/** The newest installed server's bin directory, or an explanation of what is missing. */
export function findPostgresBin(): string {
  const override = process.env.PODNET_PG_BIN;
  if (override) {
    if (!existsSync(path.join(override, 'initdb'))) throw new Error(`PODNET_PG_BIN=${override} has no initdb`);
    return override;
  }
  const versions = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT)
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(path.join(PG_ROOT, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) {
    throw new Error(
      `PostgreSQL server binaries not found under ${PG_ROOT}/*/bin (need initdb, pg_ctl). ` +
        'Install the Debian package `postgresql` (apt-get install -y postgresql) or set PODNET_PG_BIN; ' +
        'the store tests run against a real server and do not skip.',
    );
  }
  return path.join(PG_ROOT, newest, 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** initdb refuses to run as root, so as root every server command runs as the `postgres` OS user. */
function runAsServerUser(bin: string, args: string[]): string {
  const isRoot = process.getuid?.() === 0;
  const [cmd, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  try {
    return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${path.basename(bin)} failed: ${e.stderr || e.stdout || e.message}`);
  }
}

function osUserIds(user: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Starts a fresh server; the caller must stop() it (a process exit hook also does). */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  const dir = mkdtempSync(path.join(tmpdir(), 'podnet-pg-'));
  const dataDir = path.join(dir, 'data');
  const pwFile = path.join(dir, 'pw');
  const logFile = path.join(dir, 'server.log');
  const password = randomBytes(24).toString('base64url');
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (process.getuid?.() === 0) {
    const { uid, gid } = osUserIds('postgres');
    chownSync(dir, uid, gid);
    chownSync(pwFile, uid, gid);
  }

  let stopped = false;
  let started = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stop);
    if (started) {
      try {
        runAsServerUser(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // Already gone; the directory is removed regardless.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stop);

  try {
    runAsServerUser(path.join(bin, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=scram-sha-256',
      `--pwfile=${pwFile}`,
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    const port = await freePort();
    runAsServerUser(path.join(bin, 'pg_ctl'), [
      '-D',
      dataDir,
      '-l',
      logFile,
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
      'start',
    ]);
    started = true;
    const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
    return {
      adminUrl,
      port,
      async createDatabase(name: string): Promise<string> {
        if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unsafe database name ${name}`);
        const client = new pg.Client({ connectionString: adminUrl });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE ${name}`);
        } finally {
          await client.end();
        }
        return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${name}`;
      },
      stop,
    };
  } catch (err) {
    stop();
    throw err;
  }
}
