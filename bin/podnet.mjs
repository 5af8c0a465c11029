#!/usr/bin/env node
// Runs the TypeScript CLI without a build step: tsx compiles cli/ and lib/ on load.
// Both hooks are needed on Node ≥ 20.19: without `type: module` the .ts files load as
// CommonJS, and the ESM hook alone then fails with ERR_REQUIRE_CYCLE_MODULE.
//
// `podnet collect` is the exception: a long-running agent on every node, it runs
// from a plain-JS bundle of the collector alone (collector/build.mjs), rebuilt
// whenever a source is newer, because tsx and the rest of the CLI would triple
// its memory. Where no bundle can be built it runs through tsx like the rest.
async function collectorBundle() {
  if (process.argv[2] !== 'collect' || process.env.PODNET_COLLECT_TSX === '1') return undefined;
  const { DEFAULT_DIR, freshBundle } = await import('../collector/build.mjs');
  const fresh = freshBundle();
  if (fresh) return fresh;
  // Built in a child: the build loads esbuild, zod and ajv, which the agent must not carry for its lifetime.
  const { execFileSync } = await import('node:child_process');
  const build = (dir) => {
    execFileSync(process.execPath, [new URL('../collector/build.mjs', import.meta.url).pathname, dir], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
    return freshBundle(dir);
  };
  const why = (e) => (e instanceof Error ? (e.stderr?.toString().trim().split('\n').at(-1) ?? e.message.split('\n')[0]) : String(e));
  let first;
  try {
    const built = build(DEFAULT_DIR);
    if (built) return built;
  } catch (err) {
    first = err;
  }
  try {
    // A read-only checkout: a private directory of our own, never a shared path someone else could fill.
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const built = build(mkdtempSync(path.join(tmpdir(), 'podnet-collect-')));
    if (built) return built;
    throw new Error('the bundle was built but is older than its sources');
  } catch (err) {
    process.stderr.write(`podnet: cannot build the collector bundle (${first ? `${why(first)}; ` : ''}${why(err)}); running through tsx\n`);
    return undefined;
  }
}

const bundle = await collectorBundle();
if (bundle) {
  const { pathToFileURL } = await import('node:url');
  const { main } = await import(pathToFileURL(bundle).href);
  await main(process.argv.slice(3));
} else {
  const { register } = await import('tsx/esm/api');
  const { register: registerCjs } = await import('tsx/cjs/api');
  registerCjs();
  register();
  await import(new URL('../cli/main.ts', import.meta.url).href);
}
