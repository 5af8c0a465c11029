#!/usr/bin/env node
// Runs the TypeScript CLI without a build step: tsx compiles cli/ and lib/ on load.
// Both hooks are needed on Node ≥ 20.19: without `type: module` the .ts files load as
// CommonJS, and the ESM hook alone then fails with ERR_REQUIRE_CYCLE_MODULE.
import { register } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';

registerCjs();
register();
await import(new URL('../cli/main.ts', import.meta.url).href);
