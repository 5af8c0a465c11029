import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from './store';

const run = promisify(execFile);
const CHILD = path.join(__dirname, 'testing', 'openAndPut.ts');
const dataDir = mkdtempSync(path.join(tmpdir(), 'podnet-multi-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('SQLite store shared by several processes', () => {
  it('migrates a new file exactly once when processes open it together, and serialises their puts', async () => {
    const procs = 4;
    const outputs = await Promise.all(
      Array.from({ length: procs }, (_, i) =>
        run(process.execPath, ['--import', 'tsx', CHILD, dataDir, `node-${i}`], {
          cwd: path.resolve(__dirname, '../..'),
          timeout: 60_000,
        }),
      ),
    );
    const reports = outputs.map((o) => JSON.parse(o.stdout) as { applied: string[]; revision: number });
    expect(reports.filter((r) => r.applied.length > 0).map((r) => r.applied)).toEqual([['0001_initial', '0002_body_gzip']]);
    expect(reports.map((r) => r.revision).sort()).toEqual([1, 2, 3, 4]);

    const store = await openStore({ databaseUrl: null, dataDir });
    try {
      expect((await store.listNodes('shared')).map((n) => n.node)).toEqual(['node-0', 'node-1', 'node-2', 'node-3']);
    } finally {
      await store.close();
    }
  });

  it('refuses a second open of the same file within one process instead of deadlocking on it', async () => {
    const store = await openStore({ databaseUrl: null, dataDir });
    try {
      await expect(openStore({ databaseUrl: null, dataDir })).rejects.toThrow(/already open in this process/);
    } finally {
      await store.close();
    }
    const again = await openStore({ databaseUrl: null, dataDir });
    await again.close();
  });
});
