import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../server/store';
import { runCli } from './program';

function capture(): { io: { stdout: (s: string) => void; stderr: (s: string) => void }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { stdout: (s) => (out += s), stderr: (s) => (err += s) }, out: () => out, err: () => err };
}

describe('podnet token', () => {
  const dirs: string[] = [];
  const saved = { dir: process.env.PODNET_DATA_DIR, url: process.env.DATABASE_URL };
  afterEach(() => {
    process.env.PODNET_DATA_DIR = saved.dir;
    if (saved.url === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved.url;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('creates a token the server store verifies for that cluster only, prints it once, and revokes it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'podnet-token-'));
    dirs.push(dir);
    process.env.PODNET_DATA_DIR = dir;
    delete process.env.DATABASE_URL;
    const c = capture();
    expect(await runCli(['token', 'create', '--cluster', 'prod-eu', '--label', 'pool a'], c.io)).toBe(0);
    const token = c.out().trim();
    expect(token).toMatch(/^pn_[A-Za-z0-9_-]{43}$/);
    expect(c.err()).not.toContain(token);

    const list = capture();
    expect(await runCli(['token', 'list', '--cluster', 'prod-eu'], list.io)).toBe(0);
    expect(list.out()).toMatch(/active\tpool a/);
    expect(list.out()).not.toContain(token);

    let store = await openStore({ databaseUrl: null, dataDir: dir });
    try {
      expect(await store.verifyToken('prod-eu', token)).toBe(true);
      expect(await store.verifyToken('demo', token)).toBe(false);
    } finally {
      await store.close();
    }
    const id = /token (\d+) created/.exec(c.err())?.[1];
    expect(await runCli(['token', 'revoke', id ?? 'x'], capture().io)).toBe(0);
    expect(await runCli(['token', 'revoke', id ?? 'x'], capture().io)).toBe(2);
    store = await openStore({ databaseUrl: null, dataDir: dir });
    try {
      expect(await store.verifyToken('prod-eu', token)).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('refuses a cluster name the store cannot hold, with a usage error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'podnet-token-'));
    dirs.push(dir);
    process.env.PODNET_DATA_DIR = dir;
    const c = capture();
    expect(await runCli(['token', 'create', '--cluster', '../etc'], c.io)).toBe(2);
    expect(c.err()).toMatch(/cluster name/);
  });
});
