/**
 * The real CLI, spawned as users run it (`node bin/podnet.mjs …`), on real
 * and hand-written captures from e2e/fixtures.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateFlannelCluster } from '../lib/synthetic/flannelCluster';
import type { Hop, Trace } from '../lib/trace/types';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin/podnet.mjs');
const FIX = path.join(ROOT, 'e2e/fixtures');
const CAPTURE = path.join(FIX, 'captures/cni0-host-routes-single-node.txt');
const CALICO = path.join(FIX, 'calico-ipip/single-nic');
const CALICO2 = path.join(FIX, 'calico-ipip/two-nics');
const DOCKER = path.join(FIX, 'docker0-flannel');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function podnet(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function traceJson(...args: string[]): Promise<Trace> {
  const r = await podnet('trace', '--json', ...args);
  expect(r.stderr.split('\n').filter((l) => l && !l.startsWith('warning: '))).toEqual([]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Trace;
}

function encapHop(t: Trace): Hop | undefined {
  return t.hops.find((h) => h.encap !== undefined);
}

let tmp = '';
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'podnet-cli-'));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('podnet trace on the pasted cni0 host-routes capture', () => {
  it('says the packet leaves on eth0 towards 10.30.180.55, a node the evidence does not cover', async () => {
    const r = await podnet('trace', '--from', '172.22.0.253', '--to', '172.22.1.7', CAPTURE);
    expect(r.code).toBe(0);
    const first = r.stdout.split('\n')[0];
    expect(first).toBe('exits-network: leaves 10.30.180.56 by eth0 towards 10.30.180.55, a node the evidence does not cover');
    expect(r.stdout).toContain('10.30.180.56 / dev/signin-test-a-8bcd5db69-9z2c5 / eth0');
    expect(r.stdout).toContain('172.22.1.0/24 via 10.30.180.55 dev eth0');
    expect(r.stdout).toMatch(/^traceroute: 1 /m);
  });

  it('prints exactly one JSON object, the Trace model, with --json', async () => {
    const r = await podnet('trace', '--json', '--from', '172.22.0.253', '--to', '172.22.1.7', CAPTURE);
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout) as Trace;
    expect(t.verdict).toBe('exits-network');
    expect(t.exit).toMatchObject({ node: '10.30.180.56', interface: 'eth0', nextHop: '10.30.180.55' });
    expect(t.from.ip).toBe('172.22.0.253');
    expect(t.hops[0]).toMatchObject({ node: '10.30.180.56', pod: 'dev/signin-test-a-8bcd5db69-9z2c5', interface: 'eth0' });
    expect(t.hops.some((h) => h.interface === 'veth12acb4c1')).toBe(true);
  });

  it('uses the node name given as NODE=FILE', async () => {
    const t = await traceJson('--from', '172.22.0.253', '--to', '172.22.1.7', `worker-56=${CAPTURE}`);
    expect(t.hops[0]?.node).toBe('worker-56');
    expect(t.exit?.node).toBe('worker-56');
  });
});

describe('podnet trace on hand-written Calico IPIP captures', () => {
  it('encapsulates frontend → backend in IPIP between the node addresses and predicts traceroute', async () => {
    const t = await traceJson('--from', '10.244.7.65', '--to', '10.244.9.2', path.join(CALICO, 'k8s-a.txt'), path.join(CALICO, 'k8s-b.txt'));
    expect(t.verdict).toBe('delivered');
    expect(encapHop(t)?.encap).toMatchObject({ type: 'ipip', outerSrc: '192.168.50.11', outerDst: '192.168.50.12' });
    expect(t.traceroute).toEqual(['192.168.50.11', '10.244.9.0', '10.244.9.2']);
    expect(t.hops.at(-1)).toMatchObject({ node: 'k8s-b', pod: 'default/backend-5c7f8d9b4-q2w7r', interface: 'eth0' });
  });

  it('puts the tunnel on the second NIC when the route gateway is that NIC’s subnet', async () => {
    const t = await traceJson('--from', '10.244.20.5', '--to', '10.244.31.200', path.join(CALICO2, 'worker-1.txt'), path.join(CALICO2, 'worker-2.txt'));
    expect(t.verdict).toBe('delivered');
    const hop = encapHop(t);
    expect(hop?.encap).toMatchObject({ type: 'ipip', outerSrc: '10.10.0.21', outerDst: '10.10.0.22' });
    expect(t.hops.some((h) => h.node === 'worker-1' && h.interface === 'eth1')).toBe(true);
    expect(t.hops.some((h) => h.node === 'worker-1' && h.interface === 'eth0' && h.pod === null)).toBe(false);
    expect(t.traceroute).toEqual(['192.168.60.21', '10.244.31.192', '10.244.31.200']);
  });

  it('leaves in IPIP towards a node whose capture is missing', async () => {
    const t = await traceJson('--from', '10.244.7.65', '--to', '10.244.12.130', path.join(CALICO, 'k8s-a.txt'), path.join(CALICO, 'k8s-b.txt'));
    expect(t.verdict).toBe('exits-network');
    expect(t.exit?.node).toBe('k8s-a');
    expect(encapHop(t)?.encap).toMatchObject({ type: 'ipip', outerSrc: '192.168.50.11', outerDst: '192.168.50.13' });
  });
});

describe('podnet trace on the hand-written docker0 + flannel capture', () => {
  const files = [path.join(DOCKER, 'node1.txt'), path.join(DOCKER, 'node2.txt')];

  it('carries web → db in VXLAN VNI 1 to UDP 8472 and predicts traceroute through flannel.1', async () => {
    const t = await traceJson('--from', '10.244.1.2', '--to', '10.244.2.3', ...files);
    expect(t.verdict).toBe('delivered');
    expect(encapHop(t)?.encap).toMatchObject({ type: 'vxlan', vni: 1, dstPort: 8472, outerSrc: '172.16.0.11', outerDst: '172.16.0.12' });
    expect(t.traceroute).toEqual(['10.244.1.1', '10.244.2.0', '10.244.2.3']);
    expect(t.hops.map((h) => `${h.node}/${h.interface}`)).toEqual(expect.arrayContaining(['node1/docker0', 'node1/flannel.1', 'node2/docker0']));
  });

  it('renders the encapsulation and traceroute as a person reads them', async () => {
    const r = await podnet('trace', '--from', 'default/web-5f6b7c8d9-xk2lp', '--to', '10.244.2.3', ...files);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^delivered: /);
    expect(r.stdout).toContain('vxlan vni 1 172.16.0.11 → 172.16.0.12 udp/8472');
    expect(r.stdout).toContain('traceroute: 1 10.244.1.1  2 10.244.2.0  3 10.244.2.3');
    expect(r.stdout).toMatch(/^\d+\. node2 \/ default\/db-6c8f9d7b5-m3n8q \/ eth0$/m);
  });

  it('drops a 1451-byte packet against the 1450-byte pod MTU', async () => {
    const t = await traceJson('--size', '1451', '--from', '10.244.1.2', '--to', '10.244.2.3', ...files);
    expect(t.size).toBe(1451);
    expect(t.verdict).toBe('dropped');
    expect(t.dropReason).toBe('mtu-exceeded');
  });
});

describe('podnet trace on synthetic snapshot JSON', () => {
  it('delivers pod to pod across two generated flannel nodes', async () => {
    const snaps = generateFlannelCluster({ nodes: 2, podsPerNode: 2, seed: 5 });
    const files: string[] = [];
    for (const s of snaps) {
      const f = path.join(tmp, `${s.node.name}.json`);
      await writeFile(f, JSON.stringify(s, null, 2));
      files.push(f);
    }
    const t = await traceJson('--from', '10.244.0.2', '--to', '10.244.1.3', ...files);
    expect(t.verdict).toBe('delivered');
    expect(t.traceroute).toEqual(['10.244.0.1', '10.244.1.0', '10.244.1.3']);
    expect(encapHop(t)?.encap).toMatchObject({ type: 'vxlan', vni: 1, dstPort: 8472, outerSrc: '10.0.0.10', outerDst: '10.0.0.11' });
  });
});

describe('podnet usage errors', () => {
  it('exits 2 and names the missing option', async () => {
    const r = await podnet('trace', '--from', '172.22.0.253', CAPTURE);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--to');
    expect(r.stdout).toBe('');
  });

  it('exits 2 and names a file that cannot be read', async () => {
    const missing = path.join(tmp, 'no-such-capture.txt');
    const r = await podnet('trace', '--from', 'a', '--to', 'b', missing);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${missing}: cannot read: no such file`);
  });

  it('exits 2 for a size that is not a packet size', async () => {
    const r = await podnet('trace', '--size', 'big', '--from', 'a', '--to', 'b', CAPTURE);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--size');
  });

  it('exits 2 naming the file when nothing in it is node evidence', async () => {
    const f = path.join(tmp, 'shopping.txt');
    await writeFile(f, 'milk\neggs\nbread\n');
    const r = await podnet('trace', '--from', 'a', '--to', 'b', f);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(f);
  });

  it('prints usage and exits 2 without a command', async () => {
    const r = await podnet();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('trace');
  });
});

describe('podnet inspect', () => {
  it('lists what was read and the pods, veth pairs, bridge ports and host route of the capture', async () => {
    const r = await podnet('inspect', CAPTURE);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`== ${CAPTURE}`);
    expect(r.stdout).toMatch(/used:\n\s+lines? \d+/);
    expect(r.stdout).toMatch(/dev\/signin-test-a-8bcd5db69-9z2c5\s+172\.22\.0\.253\s+node 10\.30\.180\.56/);
    expect(r.stdout).toMatch(/10\.30\.180\.56\/host\/veth12acb4c1 ↔ 10\.30\.180\.56\/[^ ]+\/eth0\s+paired/);
    expect(r.stdout).toMatch(/10\.30\.180\.56\/host\/cni0\s+172\.22\.0\.1\/24.*ports \(10\): .*veth12acb4c1/);
  });

  it('shows tunnels with VNI, local address, device and port', async () => {
    const r = await podnet('inspect', path.join(DOCKER, 'node1.txt'), path.join(DOCKER, 'node2.txt'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('node1/host/flannel.1  vxlan vni 1  local 172.16.0.11  dev ens3  port 8472');
    expect(r.stdout).toMatch(/cross-node links \([1-9]\d*\):\n\s+vxlan/);
  });

  it('prints files and topology as one JSON object with --json', async () => {
    const r = await podnet('inspect', '--json', path.join(CALICO, 'k8s-a.txt'));
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { files: { file: string; used: unknown[]; nodes: string[] }[]; topology: { pods: { id: string }[] } };
    expect(doc.files[0]?.nodes).toEqual(['k8s-a']);
    expect(doc.files[0]?.used.length).toBeGreaterThan(0);
    expect(doc.topology.pods.map((p) => p.id)).toContain('default/frontend-6d4cf56db6-8xk2p');
  });
});

describe('podnet validate', () => {
  it('accepts a generated snapshot', async () => {
    const [s] = generateFlannelCluster({ nodes: 1, podsPerNode: 1, seed: 2 });
    const f = path.join(tmp, 'ok.json');
    await writeFile(f, JSON.stringify(s, null, 2));
    const r = await podnet('validate', f);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${f}: valid snapshot of node node-0000`);
  });

  it('names the bad field and its line, and exits 2', async () => {
    const [s] = generateFlannelCluster({ nodes: 1, podsPerNode: 1, seed: 2 });
    const doc = JSON.parse(JSON.stringify(s)) as { namespaces: { routes: { dst: string }[] }[] };
    doc.namespaces[0]!.routes[1]!.dst = 'banana';
    const text = JSON.stringify(doc, null, 2);
    const f = path.join(tmp, 'bad.json');
    await writeFile(f, text);
    const lines = text.split('\n');
    const want = lines.findIndex((l) => l.includes('"banana"')) + 1;
    const r = await podnet('validate', f);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`${f}:${want}: namespaces[0].routes[1].dst: expected a prefix`);
  });

  it('points at the line and column of broken JSON', async () => {
    const f = path.join(tmp, 'broken.json');
    await writeFile(f, '{\n  "apiVersion": "podnet.dev/v1",\n  "kind" "NodeSnapshot"\n}\n');
    const r = await podnet('validate', f);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: not JSON`));
  });
});

describe('podnet piped into head', () => {
  // head exits after its first line; the CLI's next write then fails with EPIPE.
  const piped = (cmd: string): Promise<Run> =>
    new Promise((resolve) => {
      execFile('bash', ['-c', `${cmd} | head -1 >/dev/null; echo "\${PIPESTATUS[0]}"`], { cwd: ROOT }, (err, stdout, stderr) => {
        resolve({ code: err ? 1 : 0, stdout, stderr });
      });
    });

  it.each([
    ['collect --help', `node ${BIN} collect --help`],
    ['trace --help', `node ${BIN} trace --help`],
    ['inspect --json', `node ${BIN} inspect --json ${DOCKER}/node1.txt ${DOCKER}/node2.txt`],
  ])('exits quietly with status 0 (%s)', async (_name, cmd) => {
    const r = await piped(cmd);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(r.stdout.trim()).toBe('0');
  });
});

describe('podnet on unseen real-world pastes, as a new user runs it', () => {
  const RW = path.join(FIX, 'realworld');

  it('traces Calico IPIP across a PowerShell ssh paste and a kubectl debug node shell (--json)', async () => {
    const dir = path.join(RW, 'calico-ipip-proxmox-powershell');
    const t = await traceJson('--from', 'web-0', '--to', 'api-7c5d8b9f6-2xkqp', path.join(dir, 'wk-1-powershell.txt'), path.join(dir, 'wk-2-kubectl-debug.txt'));
    expect(t.verdict).toBe('delivered');
    expect(encapHop(t)?.encap).toMatchObject({ type: 'ipip', outerSrc: '10.20.0.21', outerDst: '10.20.0.22' });
    expect(t.traceroute).toEqual(['10.20.0.21', '192.168.201.0', '192.168.201.5']);
  });

  it('inspects the PowerShell paste as the one node it is about', async () => {
    const r = await podnet('inspect', path.join(RW, 'calico-ipip-proxmox-powershell', 'wk-1-powershell.txt'));
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[1]).toBe('  node wk-1');
  });

  it('prints the MTU drop with the ICMP error ping showed', async () => {
    const r = await podnet('trace', '--size', '1500', '--from', 'probe', '--to', 'sink', path.join(RW, 'flannel-mtu-ssh-hop', 'deb-n1-and-n2.txt'));
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      'dropped (mtu-exceeded): dropped on deb-n1 flannel.1: a 1500-byte packet exceeds the MTU 1450 of flannel.1 on deb-n1 (DF set: ICMP fragmentation needed, mtu = 1450, from 10.244.0.1)',
    );
    expect(r.stdout).toMatch(/^traceroute: 1 10\.244\.0\.1 {2}2 \*$/m);
  });

  it('traces DNS to the kube-dns ClusterIP as one path per CoreDNS endpoint (text and --json)', async () => {
    const dir = path.join(RW, 'kube-dns-clusterip-flannel');
    const files = [path.join(dir, 'ip-10-0-1-23.txt'), path.join(dir, 'ip-10-0-2-47.txt')];
    const r = await podnet('trace', '--from', 'cart-5d9f8b7c6-kx2pq', '--to', 'svc/kube-system/kube-dns:53', ...files);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^delivered: kube-system\/kube-dns:dns at 10\.96\.0\.10:53\/udp: delivered to all 2 endpoints/);
    expect(r.stdout).toContain('dnat        PREROUTING kube-system/kube-dns:dns 10.96.0.10:53 → 10.244.0.3:53 | 10.244.1.2:53');
    expect(r.stdout).toContain('endpoint 2 of 2: 10.244.1.2:53 (kube-system/coredns-5dd5756b68-xm2bd on ip-10-0-2-47), 50% of new connections');
    expect(r.stdout).toMatch(/^ {2}traceroute: 1 10\.96\.0\.10 {2}2 10\.96\.0\.10 {2}3 10\.96\.0\.10$/m);
    const t = await traceJson('--from', 'cart-5d9f8b7c6-kx2pq', '--to', '10.101.7.9:80', ...files);
    expect(t).toMatchObject({ verdict: 'dropped', dropReason: 'service-no-endpoints', service: { name: 'shop/checkout:http' } });
  });
});
