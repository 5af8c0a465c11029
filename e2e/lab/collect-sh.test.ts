/**
 * public/collect.sh on a real lab node: what it prints, read back as a
 * pasted transcript, must say what the collector says about the same node.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectNode } from '../../collector/collect';
import { readEvidence } from '../../lib/read/readEvidence';
import type { Snapshot } from '../../lib/snapshot/schema';
import { validateSnapshot } from '../../lib/snapshot/validate';
import { buildTopology } from '../../lib/topology/build';
import type { Topology } from '../../lib/topology/types';
import { requireLab, type Lab } from './lab';

const SCRIPT = path.resolve(__dirname, '..', '..', 'public', 'collect.sh');

async function runScript(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  // dash: the plainest POSIX sh on Debian, so bashisms would fail here.
  const r = spawnSync('dash', [SCRIPT], { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The facts a trace depends on, in a form both readings can be compared in. */
function essentials(t: Topology) {
  const ifaces = t.interfaces.filter((i) => i.name !== 'lo');
  return {
    // Names only: without a Kubernetes API a transcript cannot tell a pod netns from any other named netns.
    netns: t.namespaces.map((n) => n.name).sort(),
    addresses: ifaces.flatMap((i) => i.addresses.filter((a) => a.scope !== 'link').map((a) => `${i.id} ${a.ip}/${a.prefixlen}`)).sort(),
    veths: ifaces.filter((i) => i.kind === 'veth').map((i) => `${i.id} ↔ ${i.peer?.id ?? '?'} (${i.peer?.state ?? 'none'})`).sort(),
    masters: ifaces.filter((i) => i.master !== undefined).map((i) => `${i.id} in ${i.master}`).sort(),
    vxlan: ifaces.filter((i) => i.vxlan).map((i) => ({ iface: i.id, mtu: i.mtu, mac: i.mac, ...i.vxlan })),
    routes: t.namespaces.flatMap((n) => n.routes.filter((r) => r.table === 'main').map((r) => `${n.id} ${r.dst} via ${r.gateway ?? '-'} dev ${r.dev ?? '-'} ${r.type}`)).sort(),
    neighbours: t.namespaces.flatMap((n) => n.neighbours.filter((x) => x.state?.includes('PERMANENT')).map((x) => `${n.id} ${x.dst} ${x.lladdr ?? ''} ${x.dev}`)).sort(),
    fdb: t.namespaces.flatMap((n) => n.fdb.filter((f) => f.dst !== undefined).map((f) => `${n.id} ${f.mac} ${f.dev} ${f.dst}`)).sort(),
    ipForward: t.namespaces.map((n) => `${n.id} ${String(n.ipForward)}`).sort(),
  };
}

describe('collect.sh on a real flannel VXLAN node (kernel lab)', () => {
  let lab: Lab | undefined;

  beforeAll(async () => {
    lab = await requireLab({ scenario: 'flannel-vxlan' });
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('prints a transcript that reads into the same netns, addresses, veth pairs, VXLAN facts, routes and sysctls as the collector’s snapshot', async () => {
    const l = lab!;
    const n1 = l.nodes.find((n) => n.name === 'node1')!;
    const glob = `${l.prefix}-node1-*`;
    const out = await runScript({ PODNET_NODE: 'node1', PODNET_HOST_NETNS: n1.netns, PODNET_POD_NETNS: glob });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout.startsWith('root@node1:~# ip -j -d link show\n[')).toBe(true);
    expect(out.stdout).toContain(`root@node1:~# ip netns exec ${l.prefix}-node1-default_web-node1-a ip -j addr show\n`);
    expect(out.stdout).not.toContain(n1.netns + ' ');

    const read = readEvidence(out.stdout, { nodeName: 'node1', fileName: 'node1.txt' });
    expect(read.error).toBeUndefined();
    // The reader reports an empty `ip -j neigh` (`[]`, a pod that has talked to nobody) as unreadable;
    // nothing else may be skipped.
    expect(read.skipped.filter((b) => !(b.text.endsWith('ip -j neigh show') && b.endLine === b.startLine + 1))).toEqual([]);
    expect(read.snapshots).toHaveLength(1);
    const fromScript = read.snapshots[0] as Snapshot;
    expect(validateSnapshot(JSON.parse(JSON.stringify(fromScript))).ok).toBe(true);

    const { snapshot: fromCollector } = await collectNode({ nodeName: 'node1', hostNetns: n1.netns, podNetns: glob });
    const a = essentials(buildTopology([fromScript]));
    const b = essentials(buildTopology([fromCollector]));
    expect(a).toEqual(b);
    // The essentials really hold the lab's facts (not two equally empty readings).
    expect(a.netns).toHaveLength(3);
    expect(a.veths.filter((v) => v.includes('(paired)'))).toHaveLength(4);
    expect(a.vxlan).toEqual([expect.objectContaining({ iface: 'node1/host/flannel.1', id: 1, dev: 'eth0', port: 8472, local: n1.underlayIp, mac: n1.vtepMac })]);
    expect(a.fdb).toHaveLength(2);
    expect(a.ipForward).toContain('node1/host true');
    const sysHost = fromScript.namespaces.find((n) => n.kind === 'host')?.sysctls ?? {};
    const sysColl = fromCollector.namespaces.find((n) => n.kind === 'host')?.sysctls ?? {};
    for (const key of ['net.ipv4.ip_forward', 'net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.eth0.rp_filter', 'net.ipv4.conf.cni0.rp_filter']) {
      expect(sysHost[key], key).toBe(sysColl[key]);
    }
    expect(sysHost['net.ipv4.ip_forward']).toBe('1');
  });
});
