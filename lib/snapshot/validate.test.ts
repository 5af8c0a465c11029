import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateSnapshot } from './validate';

const example = () =>
  JSON.parse(readFileSync(path.join(__dirname, '../../docs/examples/flannel-node1.snapshot.json'), 'utf8')) as Record<
    string,
    unknown
  >;

describe('validateSnapshot', () => {
  it('accepts the documented example snapshot', () => {
    const r = validateSnapshot(example());
    expect(r.ok).toBe(true);
  });

  it('names the apiVersion when it is unknown', () => {
    const r = validateSnapshot({ ...example(), apiVersion: 'podnet.dev/v9' });
    expect(r).toMatchObject({ ok: false, issues: [{ path: 'apiVersion' }] });
    if (!r.ok) expect(r.issues[0]?.message).toContain('podnet.dev/v1');
  });

  it('names the exact field of a bad route prefix', () => {
    const doc = example();
    const ns = (doc.namespaces as Array<{ routes: Array<{ dst: string }> }>)[0]!;
    ns.routes[3]!.dst = '10.244.2.0/xx';
    const r = validateSnapshot(doc);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toContain('namespaces[0].routes[3].dst');
  });

  it('rejects non-objects without throwing', () => {
    for (const v of [null, 3, 'x', [], true]) {
      const r = validateSnapshot(v);
      expect(r.ok).toBe(false);
    }
  });

  it('bounds string lengths so a node cannot send megabyte interface names', () => {
    const doc = example();
    const ns = (doc.namespaces as Array<{ links: Array<{ name: string }> }>)[0]!;
    ns.links[0]!.name = 'x'.repeat(10_000);
    const r = validateSnapshot(doc);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.path).toBe('namespaces[0].links[0].name');
  });
});

describe('validateSnapshot fast path', () => {
  it('drops unknown keys exactly as the zod schema does', () => {
    const doc = { ...example(), extra: { big: 'x' } };
    const r = validateSnapshot(doc);
    expect(r.ok).toBe(true);
    if (r.ok) expect('extra' in r.snapshot).toBe(false);
  });

  it('drops unknown keys of nested objects too, not only of the document', () => {
    const doc = example();
    const route = (doc.namespaces as Array<{ routes: Array<Record<string, unknown>> }>)[0]!.routes[1]!;
    route.extra = 'x';
    const r = validateSnapshot(doc);
    expect(r.ok).toBe(true);
    if (r.ok) expect('extra' in r.snapshot.namespaces[0]!.routes![1]!).toBe(false);
  });

  it('bounds strings in code points as zod does, on the fast path', async () => {
    const { SnapshotSchema } = await import('./schema');
    const named = (name: string) => ({ ...example(), node: { ...(example().node as object), name } });
    // 256 code points of two UTF-16 units each: 512 units, within zod's bound of 256.
    for (const [name, ok] of [
      ['😀'.repeat(256), true],
      ['😀'.repeat(257), false],
      ['x'.repeat(256), true],
      ['x'.repeat(257), false],
      ['😀', true],
      ['', false],
    ] as const) {
      const doc = named(name);
      const r = validateSnapshot(doc);
      expect(r.ok).toBe(ok);
      expect(SnapshotSchema.safeParse(doc).success).toBe(ok);
      // The accepted document is the one given: ajv took it, zod was not needed.
      if (r.ok) expect(r.snapshot).toBe(doc);
    }
  });

  it('agrees with zod on documents mutated at random', async () => {
    const fc = (await import('fast-check')).default;
    const { SnapshotSchema } = await import('./schema');
    const base = example();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.jsonValue(), (seed, value) => {
        const doc = structuredClone(base) as Record<string, unknown>;
        // Replace one leaf somewhere in the document by an arbitrary JSON value.
        const paths: Array<[Record<string, unknown> | unknown[], string | number]> = [];
        const walk = (v: unknown) => {
          if (Array.isArray(v)) v.forEach((x, i) => (paths.push([v, i]), walk(x)));
          else if (v && typeof v === 'object')
            for (const [k, x] of Object.entries(v)) (paths.push([v as Record<string, unknown>, k]), walk(x));
        };
        walk(doc);
        const [parent, key] = paths[seed % paths.length]!;
        (parent as Record<string | number, unknown>)[key] = value;
        expect(validateSnapshot(doc).ok).toBe(SnapshotSchema.safeParse(doc).success);
      }),
      { numRuns: 300 },
    );
  });
});
