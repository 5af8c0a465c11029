/**
 * Child process of crash.test.ts: writes ~110-pod node snapshots into the
 * SQLite store at argv[2] forever, eight puts in flight at a time, and prints
 * `ack <n> <id> <revision>` the moment each put resolves. The test SIGKILLs
 * it mid-batch and then checks that every acknowledged put survived.
 *
 * Run as `node --import tsx server/store/testing/crashWriter.ts <dataDir> <firstN>`
 * so that the test's kill hits this very process (no wrapper in between).
 */
import { openStore } from '../store';
import { crashSnapshot, CRASH_CLUSTER } from './crashSnapshots';

const IN_FLIGHT = 8;

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: crashWriter <dataDir> <firstN>');
  let n = Number(process.argv[3] ?? '0');
  const store = await openStore({ databaseUrl: null, dataDir });
  await store.ensureCluster(CRASH_CLUSTER);
  process.stdout.write('ready\n');
  for (;;) {
    const batch = Array.from({ length: IN_FLIGHT }, () => n++);
    await Promise.all(
      batch.map(async (k) => {
        const snap = crashSnapshot(k);
        const r = await store.putSnapshot(CRASH_CLUSTER, snap.node.name, snap);
        // Pipes are synchronous on Linux: once this returns, the parent can read it.
        process.stdout.write(`ack ${k} ${r.id} ${r.revision}\n`);
      }),
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`crashWriter: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
