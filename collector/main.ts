/**
 * Entry of the collector bundle: `node collector/dist/podnet-collect.mjs
 * [collect options]`, what bin/podnet.mjs runs for `podnet collect`. Only the
 * collect command is in it: a long-running agent on every node should not
 * carry the compiler, the topology engine or the server's stores.
 */
import { runCollectCli } from '../cli/collect';

/** Runs `podnet collect` with these arguments (the ones after `collect`). */
export async function main(args: readonly string[]): Promise<void> {
  process.exitCode = await runCollectCli(args, {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  });
}

/** The snapshot check as bundled (precompiled by collector/build.mjs); exported so a test can hold it to validateSnapshot. */
export { validateSnapshot } from '../lib/snapshot/validate';
