import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../lib/snapshot/schema';
import { collectGarbage, runAgent } from './agent';
import { backoffDelay, drainSpool, encodeSnapshot, postSnapshot, type PushTarget } from './push';
import { Spool } from './spool';

const TOKEN = 'pn_secret-token-value';

function snap(n: number): Snapshot {
  return {
    apiVersion: 'podnet.dev/v1',
    kind: 'NodeSnapshot',
    node: { name: 'node1' },
    collectedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
    collector: { name: 'podnet-collector' },
    namespaces: [{ name: 'host', kind: 'host' }],
  };
}

interface Received {
  headers: IncomingMessage['headers'];
  snapshot: Snapshot;
}

/** A real HTTP server whose answers a test scripts: one status per request, then 201. */
class FakeIngest {
  received: Received[] = [];
  script: number[] = [];
  private server: Server | undefined;
  port = 0;

  async start(port = 0): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = this.script.shift() ?? 201;
        if (status === 201) {
          const snapshot = JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8')) as Snapshot;
          const dup = this.received.some((r) => JSON.stringify(r.snapshot) === JSON.stringify(snapshot));
          if (!dup) this.received.push({ headers: req.headers, snapshot });
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: 'x', node: snapshot.node.name, revision: this.received.length, status: dup ? 'duplicate' : 'accepted', warnings: [], used: [], skipped: [] }));
          return;
        }
        res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '0' } : {}) });
        res.end(JSON.stringify({ error: `scripted ${status}` }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  target(): PushTarget {
    return { server: `http://127.0.0.1:${this.port}/`, cluster: 'lab one', token: TOKEN };
  }
}

const FAST = { baseMs: 5, capMs: 20 };

describe('pushing spooled snapshots', () => {
  let dir: string;
  let server: FakeIngest;
  let logs: string[];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'podnet-spool-'));
    server = new FakeIngest();
    await server.start();
    logs = [];
  });
  afterEach(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const spoolOf = (limits = { maxCount: 100, maxBytes: 10_000_000 }) => new Spool(dir, limits, (m) => logs.push(m));

  it('POSTs gzip JSON with the bearer token to the cluster’s snapshots endpoint', async () => {
    const out = await postSnapshot(server.target(), encodeSnapshot(snap(1)));
    expect(out).toMatchObject({ kind: 'sent', status: 201, result: { status: 'accepted' } });
    const r = server.received[0]!;
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(r.snapshot).toEqual(snap(1));
  });

  it('classifies 5xx, 408, 429 and refused connections as retryable and other 4xx as permanent', async () => {
    server.script = [503, 408, 429, 400, 403, 413];
    const body = encodeSnapshot(snap(1));
    const kinds = [];
    for (let i = 0; i < 6; i++) kinds.push((await postSnapshot(server.target(), body)).kind);
    expect(kinds).toEqual(['retry', 'retry', 'retry', 'rejected', 'rejected', 'rejected']);
    await server.stop();
    const down = await postSnapshot(server.target(), body);
    expect(down.kind).toBe('retry');
  });

  it('sends the spool oldest first and deletes a file only after the server’s 2xx', async () => {
    const spool = spoolOf();
    for (let i = 1; i <= 3; i++) await spool.add(encodeSnapshot(snap(i)), 'node1');
    server.script = [503, 503];
    const report = await drainSpool(spool, { target: server.target(), backoff: FAST, maxAttempts: 5, log: (m) => logs.push(m) });
    expect(report).toMatchObject({ sent: 3, pending: 0, rejected: 0 });
    expect(server.received.map((r) => r.snapshot.collectedAt)).toEqual([1, 2, 3].map((i) => snap(i).collectedAt));
    expect(await spool.list()).toEqual([]);
  });

  it('stops at the first file it cannot send, keeping it and everything after it queued', async () => {
    const spool = spoolOf();
    for (let i = 1; i <= 3; i++) await spool.add(encodeSnapshot(snap(i)), 'node1');
    server.script = [201, 503, 503, 503];
    const report = await drainSpool(spool, { target: server.target(), backoff: FAST, maxAttempts: 3, log: (m) => logs.push(m) });
    expect(report).toMatchObject({ sent: 1, pending: 2 });
    expect(report.lastError).toContain('HTTP 503');
    expect((await spool.list()).map((e) => e.file)).toEqual(['000000000002-node1.json.gz', '000000000003-node1.json.gz']);
  });

  it('moves a snapshot the server refuses for good to rejected/ with the reason, and goes on with the next', async () => {
    const spool = spoolOf();
    await spool.add(encodeSnapshot(snap(1)), 'node1');
    await spool.add(encodeSnapshot(snap(2)), 'node1');
    server.script = [400];
    const report = await drainSpool(spool, { target: server.target(), backoff: FAST, maxAttempts: 2, log: (m) => logs.push(m) });
    expect(report).toMatchObject({ sent: 1, rejected: 1, pending: 0 });
    expect(await readdir(path.join(dir, 'rejected'))).toEqual(['000000000001-node1.json.gz', '000000000001-node1.json.gz.reason.txt']);
    expect(await readFile(path.join(dir, 'rejected', '000000000001-node1.json.gz.reason.txt'), 'utf8')).toContain('HTTP 400: scripted 400');
    expect(server.received.map((r) => r.snapshot.collectedAt)).toEqual([snap(2).collectedAt]);
    expect(logs.join('\n')).not.toContain(TOKEN);
  });

  it('drops the oldest snapshots with a warning when the spool passes its count or byte bound', async () => {
    const spool = spoolOf({ maxCount: 3, maxBytes: 10_000_000 });
    for (let i = 1; i <= 5; i++) await spool.add(encodeSnapshot(snap(i)), 'node1');
    expect((await spool.list()).map((e) => e.file.slice(0, 12))).toEqual(['000000000003', '000000000004', '000000000005']);
    expect(logs.filter((l) => l.startsWith('spool full'))).toHaveLength(2);

    const size = encodeSnapshot(snap(1)).length;
    const small = new Spool(path.join(dir, 'small'), { maxCount: 100, maxBytes: size * 2 }, (m) => logs.push(m));
    for (let i = 1; i <= 4; i++) await small.add(encodeSnapshot(snap(i)), 'node1');
    expect((await small.list()).length).toBe(2);
  });

  it('keeps numbering after a restart, so files queued before it are still sent first', async () => {
    await spoolOf().add(encodeSnapshot(snap(1)), 'node1');
    const again = spoolOf();
    await again.add(encodeSnapshot(snap(2)), 'node1');
    expect((await again.list()).map((e) => e.file)).toEqual(['000000000001-node1.json.gz', '000000000002-node1.json.gz']);
  });
});

describe('backoff with full jitter', () => {
  it('waits a uniform time below min(cap, base·2^attempt)', () => {
    const b = { baseMs: 500, capMs: 30_000 };
    expect(backoffDelay(0, b, () => 0.999)).toBe(499);
    expect(backoffDelay(3, b, () => 0.5)).toBe(2000);
    expect(backoffDelay(10, b, () => 0.999)).toBe(29_970);
    expect(backoffDelay(1000, b, () => 0.5)).toBe(15_000);
    expect(backoffDelay(5, b, () => 0)).toBe(0);
  });
});

describe('garbage collection between collections', () => {
  it('runs afterCollect once after each collection', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'podnet-agent-gc-'));
    const spool = new Spool(dir, { maxCount: 10, maxBytes: 10_000_000 }, () => {});
    const order: string[] = [];
    const result = await runAgent({
      collect: async () => {
        order.push('collect');
        return { snapshot: snap(1), warnings: [] };
      },
      afterCollect: () => order.push('gc'),
      spool,
      target: { server: 'http://127.0.0.1:9', cluster: 'c', token: 't' },
      onceTimeoutMs: 1,
      backoff: { baseMs: 1, capMs: 1 },
      log: () => {},
      fetch: async () => ({ status: 201, headers: { get: () => null }, text: async () => '{}' }),
    });
    expect(result.collections).toBe(1);
    expect(order).toEqual(['collect', 'gc']);
    await rm(dir, { recursive: true, force: true });
  });

  it('collects garbage, with or without --expose-gc', async () => {
    const ref = (() => new WeakRef({ big: new Array(1000).fill(1) }))();
    // A WeakRef's target is kept until the job that made it ends.
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
  });
});

describe('the collector loop through a server outage', () => {
  it('keeps collecting into the spool while the server is down and delivers every snapshot once, in order, when it returns', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'podnet-agent-'));
    const server = new FakeIngest();
    await server.start();
    const target = server.target();
    await server.stop();
    const logs: string[] = [];
    const spool = new Spool(dir, { maxCount: 100, maxBytes: 10_000_000 }, (m) => logs.push(m));
    let n = 0;
    const controller = new AbortController();
    const done = runAgent({
      collect: async () => ({ snapshot: snap(++n), warnings: [] }),
      spool,
      target,
      intervalMs: 150,
      backoff: { baseMs: 10, capMs: 50 },
      log: (m) => logs.push(m),
      signal: controller.signal,
    });
    try {
      await expect.poll(() => n, { timeout: 5000 }).toBeGreaterThanOrEqual(4);
      expect((await spool.list()).length).toBeGreaterThanOrEqual(3);
      await server.start(Number(new URL(target.server).port));
      await expect.poll(async () => (await spool.list()).length, { timeout: 5000 }).toBe(0);
      controller.abort();
      const result = await done;
      const times = server.received.map((r) => r.snapshot.collectedAt);
      // Whatever the abort caught between collection and send is still queued: nothing is lost.
      const queued = (await spool.list()).length;
      expect(times.length + queued).toBe(result.collections);
      expect(times).toEqual(Array.from({ length: times.length }, (_, i) => snap(i + 1).collectedAt));
      expect(new Set(times).size).toBe(times.length);
      expect(logs.some((l) => l.includes('still queued'))).toBe(true);
      expect(logs.join('\n')).not.toContain(TOKEN);
    } finally {
      controller.abort();
      await done;
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
