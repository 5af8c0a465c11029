/**
 * Child process of multiProcess.test.ts: opens the SQLite store at argv[2]
 * (migrating it if needed), puts one snapshot as node argv[3], and prints
 * `{"applied": [...], "revision": N}`. Several start at once on a new file.
 */
import { openStore } from '../store';
import { at, sampleSnapshot } from './sampleSnapshot';

async function main(): Promise<void> {
  const [dataDir, node] = process.argv.slice(2);
  if (!dataDir || !node) throw new Error('usage: openAndPut <dataDir> <node>');
  const store = await openStore({ databaseUrl: null, dataDir });
  try {
    await store.ensureCluster('shared');
    const put = await store.putSnapshot('shared', node, sampleSnapshot(node, { collectedAt: at(0) }));
    process.stdout.write(`${JSON.stringify({ applied: store.appliedMigrations, revision: put.revision })}\n`);
  } finally {
    await store.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`openAndPut: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
