/**
 * The collector against the real server on the kernel lab: `podnet collect
 * --once` pushes every lab node to `next start`, and the server's traces
 * must agree with ping; then the server goes away while a collector runs
 * with --interval, and comes back: every snapshot collected meanwhile
 * arrives once, in order, none lost and none stored twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnapshotHistory, TraceResponse } from '../../lib/api/types';
import { openStore } from '../../server/store';
import { buildPrivateApp, REPO_ROOT, removeDir, startNextServer, type RunningServer } from '../../server/testing/nextServer';
import { requireLab, type Lab } from './lab';
import { mapLimit, ping } from './probe';

const BIN = path.join(REPO_ROOT, 'bin', 'podnet.mjs');
const CLUSTER = 'lab';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function podnet(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * A fixed address in front of the server: `next start` comes back on a new
 * port after a restart, the collector keeps the URL it was given. While no
 * server is behind it, connections are cut, as an unreachable server does.
 */
class Front {
  backend: number | undefined;
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.backend === undefined) {
        client.destroy();
        return;
      }
      const upstream = connect(this.backend, '127.0.0.1');
      client.pipe(upstream);
      upstream.pipe(client);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const a = this.server.address();
    this.port = typeof a === 'object' && a ? a.port : 0;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

describe('podnet collect pushing the kernel lab to a real server', () => {
  let lab: Lab | undefined;
  let appDir: string | undefined;
  let dataDir: string | undefined;
  let spoolRoot: string | undefined;
  let server: RunningServer | undefined;
  let token = '';
  const front = new Front();

  const startServer = async () => {
    server = await startNextServer(appDir!, { PODNET_DATA_DIR: dataDir!, PODNET_SEED_DEMO: '0', PODNET_RETENTION_INTERVAL_MINUTES: '0' });
    front.backend = server.port;
  };
  const url = () => `http://127.0.0.1:${front.port}`;
  const getJson = async <T>(p: string): Promise<T> => {
    const res = await fetch(`${server!.url}${p}`);
    expect(res.status, p).toBe(200);
    return (await res.json()) as T;
  };
  const collectArgs = (node: string) => {
    const n = lab!.nodes.find((x) => x.name === node)!;
    return ['collect', '--server', url(), '--cluster', CLUSTER, '--node', node, '--host-netns', n.netns, '--pod-netns', `${lab!.prefix}-${node}-*`, '--no-kubernetes'];
  };

  beforeAll(async () => {
    lab = await requireLab({ scenario: 'flannel-vxlan' });
    // E8's private build of the app (rebuilt only when a source is newer), shared with the API suites.
    appDir = buildPrivateApp();
    dataDir = mkdtempSync(path.join(tmpdir(), 'podnet-push-data-'));
    spoolRoot = mkdtempSync(path.join(tmpdir(), 'podnet-push-spool-'));
    // The token is made the way `podnet token create` makes it: in the store the server uses.
    const store = await openStore({ databaseUrl: null, dataDir });
    await store.ensureCluster(CLUSTER);
    token = (await store.createToken(CLUSTER, 'collector-push test')).token;
    await store.close();
    await front.start();
    await startServer();
  }, 600_000);

  afterAll(async () => {
    await server?.stop();
    await front.stop();
    await lab?.destroy();
    if (dataDir) removeDir(dataDir);
    if (spoolRoot) removeDir(spoolRoot);
  });

  it('pushes every node with --once, and the server’s traces between all pods agree with ping', async () => {
    const l = lab!;
    for (const n of l.nodes) {
      const r = await podnet([...collectArgs(n.name), '--once', '--spool-dir', path.join(spoolRoot!, `once-${n.name}`)], { PODNET_TOKEN: token });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/sent 1/);
      expect(r.stderr).not.toContain(token);
      expect(readdirSync(path.join(spoolRoot!, `once-${n.name}`)).filter((f) => f.endsWith('.json.gz'))).toEqual([]);
    }
    const pairs = l.pods.flatMap((a) => l.pods.filter((b) => b !== a).map((b) => ({ a, b })));
    const rows = await mapLimit(pairs, 6, async ({ a, b }) => {
      const q = (from: string, to: string) => getJson<TraceResponse>(`/api/v1/clusters/${CLUSTER}/trace?from=${from}&to=${to}`);
      const [fwd, back, kernel] = await Promise.all([q(a.ip, b.ip), q(b.ip, a.ip), ping(a.netns, b.ip, l.packetSize)]);
      const engine = fwd.trace.verdict === 'delivered' && back.trace.verdict === 'delivered';
      return { label: `${a.name} → ${b.name}`, kernel: kernel.ok, engine, verdict: fwd.trace.verdict };
    });
    expect(rows).toHaveLength(30);
    expect(rows.filter((r) => r.kernel !== r.engine)).toEqual([]);
    // A healthy lab: the comparison is not vacuous.
    expect(rows.every((r) => r.kernel)).toBe(true);
  }, 240_000);

  it('spools while the server is down and delivers every snapshot once, in order, when it is back', async () => {
    const spoolDir = path.join(spoolRoot!, 'interval-node1');
    const history = async () => (await getJson<SnapshotHistory>(`/api/v1/clusters/${CLUSTER}/nodes/node1/snapshots?limit=1000`)).snapshots;
    const before = (await history()).length;
    const child: ChildProcess = spawn(process.execPath, [BIN, ...collectArgs('node1'), '--interval', '1s', '--retry-max', '500ms', '--spool-dir', spoolDir], {
      cwd: REPO_ROOT,
      env: { ...process.env, PODNET_TOKEN: token },
    });
    let log = '';
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    const collectedTimes = () => [...log.matchAll(/collected #\d+ node node1 at (\S+):/g)].map((m) => m[1] as string);
    const queued = () => readdirSync(spoolDir).filter((f) => f.endsWith('.json.gz')).length;
    try {
      await expect.poll(async () => (await history()).length - before, { timeout: 30_000, interval: 250 }).toBeGreaterThanOrEqual(2);

      await server!.stop();
      front.backend = undefined;
      const atStop = collectedTimes().length;
      await expect.poll(() => collectedTimes().length - atStop, { timeout: 30_000, interval: 250 }).toBeGreaterThanOrEqual(4);
      expect(queued()).toBeGreaterThanOrEqual(3);
      expect(log).toMatch(/still queued \(server unreachable/);

      await startServer();
      await expect.poll(queued, { timeout: 60_000, interval: 250 }).toBe(0);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);

      const times = collectedTimes();
      const stored = (await history()).slice(0, (await history()).length - before);
      const storedTimes = stored.map((s) => s.collectedAt).reverse();
      const left = queued();
      // Nothing lost: every collection is stored, or (caught by SIGTERM before sending) still spooled for the next run.
      expect(storedTimes.length + left).toBe(times.length);
      // In order, and nothing stored twice.
      expect(storedTimes).toEqual(times.slice(0, storedTimes.length));
      expect(new Set(storedTimes).size).toBe(storedTimes.length);
      expect(new Set(stored.map((s) => s.revision)).size).toBe(stored.length);
      expect(log).not.toContain(token);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 240_000);
});
