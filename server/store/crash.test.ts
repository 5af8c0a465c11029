import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from './contentHash';
import { SQLITE_FILE } from './dialect';
import { openStore } from './store';
import { CRASH_CLUSTER, crashSnapshot } from './testing/crashSnapshots';

const WRITER = path.join(__dirname, 'testing', 'crashWriter.ts');
const ROUNDS = 3;

interface Ack {
  n: number;
  id: number;
  revision: number;
}

let child: ChildProcess | undefined;
const dataDir = mkdtempSync(path.join(tmpdir(), 'podnet-crash-'));

afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs the writer until it has acknowledged `acks` puts, then SIGKILLs it. */
function writeThenKill(firstN: number, acks: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir, String(firstN)], {
      cwd: path.resolve(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    const seen: Ack[] = [];
    let stderr = '';
    let killed = false;
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const m = /^ack (\d+) (\d+) (\d+)$/.exec(line);
      if (!m || killed) return;
      seen.push({ n: Number(m[1]), id: Number(m[2]), revision: Number(m[3]) });
      if (seen.length >= acks) {
        // Seven more puts are in flight at this moment: the kill lands mid-batch.
        killed = true;
        proc.kill('SIGKILL');
      }
    });
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && killed) resolve(seen);
      else reject(new Error(`writer exited on its own (code ${code}, signal ${signal}): ${stderr}`));
    });
  });
}

describe('SQLite store after a writer is killed mid-batch', () => {
  it('keeps every acknowledged snapshot, passes integrity_check and continues gap-free', async () => {
    const acknowledged: Ack[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      acknowledged.push(...(await writeThenKill(round * 10_000, 30 + round * 7)));

      // Open the file raw first: this is the state the crash left, before the
      // store itself touches it.
      const raw = new Database(path.join(dataDir, SQLITE_FILE));
      expect(raw.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      const { rows, maxRevision } = raw
        .prepare('SELECT count(*) AS rows, max(revision) AS maxRevision FROM snapshots')
        .get() as { rows: number; maxRevision: number };
      raw.close();

      const store = await openStore({ databaseUrl: null, dataDir });
      try {
        // Revisions are gap-free: every revision up to the current one has exactly one snapshot.
        expect(await store.revision(CRASH_CLUSTER)).toBe(rows);
        expect(maxRevision).toBe(rows);
        for (const ack of acknowledged) {
          const got = await store.getSnapshot(CRASH_CLUSTER, ack.id);
          expect(got?.meta.revision).toBe(ack.revision);
          expect(got?.meta.contentHash).toBe(sha256Hex(canonicalJson(crashSnapshot(ack.n))));
          expect(got?.snapshot).toEqual(crashSnapshot(ack.n));
        }
      } finally {
        await store.close();
      }
    }

    const store = await openStore({ databaseUrl: null, dataDir });
    try {
      const before = await store.revision(CRASH_CLUSTER);
      const put = await store.putSnapshot(CRASH_CLUSTER, 'after-crash', crashSnapshot(99_999));
      expect(put).toMatchObject({ revision: before + 1, status: 'accepted' });
    } finally {
      await store.close();
    }
  });
});
