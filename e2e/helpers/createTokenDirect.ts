/**
 * `tsx createTokenDirect.ts CLUSTER DATA_DIR`: prints a new ingest token.
 * The fallback of token.ts while `podnet token create` is not available.
 */
import { openStore } from '../../server/store';

async function main(): Promise<void> {
  const [cluster, dataDir] = process.argv.slice(2);
  if (!cluster || !dataDir) throw new Error('usage: createTokenDirect.ts CLUSTER DATA_DIR');
  const store = await openStore({ databaseUrl: null, dataDir });
  try {
    const created = await store.createToken(cluster, 'e2e');
    process.stdout.write(`${created.token}\n`);
  } finally {
    await store.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
