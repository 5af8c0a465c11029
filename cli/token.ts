/**
 * `podnet token create|list|revoke`: ingest tokens, written to the same
 * store the server reads (PODNET_DATA_DIR or DATABASE_URL). A created token
 * is printed once, alone on stdout, so `TOKEN=$(podnet token create …)`
 * works; it is never stored or shown again.
 */
import type { Command } from 'commander';
import { readConfig } from '../server/config';
import { openStore, type Store } from '../server/store';
import { CliError, EXIT_OK, EXIT_USAGE } from './errors';
import type { CliIo } from './program';

async function withStore<T>(env: NodeJS.ProcessEnv, fn: (store: Store) => Promise<T>): Promise<T> {
  let config;
  try {
    config = readConfig(env);
  } catch (e) {
    throw new CliError(EXIT_USAGE, e instanceof Error ? e.message : String(e));
  }
  const store = await openStore({ databaseUrl: config.databaseUrl ?? null, dataDir: config.dataDir });
  try {
    return await fn(store);
  } catch (e) {
    if (e instanceof Error && e.name === 'StoreError') throw new CliError(EXIT_USAGE, e.message);
    throw e;
  } finally {
    await store.close();
  }
}

/** Registers `podnet token …` on the program. */
export function registerToken(program: Command, io: CliIo, setCode: (code: number) => void, env: NodeJS.ProcessEnv = process.env): void {
  const token = program.command('token').description('manage ingest tokens (per cluster) in the server store (PODNET_DATA_DIR or DATABASE_URL)');

  token
    .command('create')
    .description('create an ingest token for a cluster (creating the cluster if needed); prints the token once')
    .requiredOption('--cluster <name>', 'cluster the token may write to')
    .option('--label <text>', 'a note to recognise the token by (e.g. the node pool)')
    .action(async (opts: { cluster: string; label?: string }) => {
      const created = await withStore(env, async (store) => {
        await store.ensureCluster(opts.cluster);
        return store.createToken(opts.cluster, opts.label);
      });
      io.stdout(`${created.token}\n`);
      io.stderr(`token ${created.id} created for cluster ${opts.cluster}; it is shown only now (revoke with: podnet token revoke ${created.id})\n`);
      setCode(EXIT_OK);
    });

  token
    .command('list')
    .description("list a cluster's tokens (ids and labels, never the secrets)")
    .requiredOption('--cluster <name>', 'cluster')
    .action(async (opts: { cluster: string }) => {
      const tokens = await withStore(env, (store) => store.listTokens(opts.cluster));
      for (const t of tokens) {
        io.stdout(`${t.id}\t${t.createdAt.toISOString()}\t${t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active'}\t${t.label ?? ''}\n`);
      }
      setCode(EXIT_OK);
    });

  token
    .command('revoke')
    .description('revoke a token by id; it never verifies again')
    .argument('<id>', 'token id (from create or list)')
    .action(async (id: string) => {
      if (!/^\d{1,15}$/.test(id)) throw new CliError(EXIT_USAGE, `token id must be a number (got ${JSON.stringify(id.slice(0, 40))})`);
      const revoked = await withStore(env, (store) => store.revokeToken(Number(id)));
      if (!revoked) throw new CliError(EXIT_USAGE, `no active token with id ${id}`);
      io.stderr(`token ${id} revoked\n`);
      setCode(EXIT_OK);
    });
}
