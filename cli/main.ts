/** `podnet` entry point: bin/podnet.mjs registers tsx and imports this file. */
import { main } from './program';

main().catch((e: unknown) => {
  process.stderr.write(`podnet: unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
