import { mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateSnapshot } from '../lib/snapshot/validate';

interface BuildModule {
  buildCollector: (dir: string) => Promise<string>;
  freshBundle: (dir: string) => string | undefined;
}

type Validate = typeof validateSnapshot;

const example = JSON.parse(readFileSync(path.join(__dirname, '..', 'docs', 'examples', 'flannel-node1.snapshot.json'), 'utf8')) as Record<string, unknown>;

describe('collector bundle', () => {
  let dir: string;
  let build: BuildModule;
  let file: string;
  let bundled: Validate;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'podnet-bundle-test-'));
    build = (await import(pathToFileURL(path.join(__dirname, 'build.mjs')).href)) as BuildModule;
    file = await build.buildCollector(dir);
    bundled = await ((await import(pathToFileURL(file).href)) as { loadValidateSnapshot: () => Promise<Validate> }).loadValidateSnapshot();
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts and refuses snapshots as validateSnapshot does, without compiling the schema at run time', () => {
    expect(validateSnapshot(example).ok).toBe(true);
    expect(bundled(example).ok).toBe(true);
    const broken = [
      { ...example, kind: 'Other' },
      { ...example, apiVersion: 'podnet.dev/v0' },
      { ...example, namespaces: [{ name: 'host', kind: 'host', routes: [{ family: 4, table: 'main', type: 'unicast', dst: 'not a prefix' }] }] },
      { ...example, collectedAt: 'yesterday' },
      'not an object',
    ];
    for (const doc of broken) {
      expect(validateSnapshot(doc).ok).toBe(false);
      const r = bundled(doc);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.issues.length).toBeGreaterThan(0);
    }
    // Unknown keys: zod strips them and accepts, and so does the bundle.
    const extra = { ...example, extra: true };
    const ours = validateSnapshot(extra);
    const theirs = bundled(extra);
    expect(theirs.ok).toBe(ours.ok);
    if (theirs.ok && ours.ok) expect(theirs.snapshot).toEqual(ours.snapshot);
    // ajv's runtime helpers only: its compiler (ajv/dist/compile) is not in the bundle.
    expect(readFileSync(file, 'utf8')).not.toContain('node_modules/ajv/dist/compile/');
  });

  it('is fresh until one of its sources is newer, then stale', () => {
    expect(build.freshBundle(dir)).toBe(file);
    // An old bundle: every source is now newer than it.
    utimesSync(file, new Date(0), new Date(0));
    expect(build.freshBundle(dir)).toBeUndefined();
  });
});
