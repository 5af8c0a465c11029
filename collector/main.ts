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

/**
 * The snapshot check as bundled (precompiled by collector/build.mjs), for a
 * test to hold it to validateSnapshot. Loaded on demand: the agent itself
 * does not check what it collects (collectNode's `validate`), and the
 * precompiled check and ajv's runtime are most of the bundle.
 */
export async function loadValidateSnapshot(): Promise<typeof import('../lib/snapshot/validate').validateSnapshot> {
  return (await import('../lib/snapshot/validate')).validateSnapshot;
}
