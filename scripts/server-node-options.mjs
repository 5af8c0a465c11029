// The V8 settings the dashboard server runs with (scripts/start.mjs runs the server with them),
// shared with the test and benchmark servers and the engine benchmark, so their figures are the
// product's.
//
// A 64 MB semi-space (Node's default on 64-bit is 16 MB): building a 1,000-node topology allocates
// ~760 MB of objects, most short-lived. With the default young generation ~50 scavenges of 13-15 ms
// each and a full mark-compact land inside the build; with 64 MB, buildTopology took 2.4-2.5 s wall
// instead of 3.4-3.9 s at 1,000 nodes × 110 pods, and ~8 % less CPU on a clean heap, for ~120 MB
// more peak RSS. The collector does not use this: it runs with a 1 MB semi-space to stay small.
export const SERVER_V8_FLAGS = ['--max-semi-space-size=64'];

/** NODE_OPTIONS with the server's flags added, unless the operator already chose a semi-space size. */
export function serverNodeOptions(existing = '') {
  if (/--max-semi-space-size/.test(existing)) return existing;
  return [existing.trim(), ...SERVER_V8_FLAGS].filter((s) => s !== '').join(' ');
}
