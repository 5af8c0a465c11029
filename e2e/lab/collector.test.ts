import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectNode } from '../../collector/collect';
import { captureTranscript } from '../../collector/transcript';
import { validateSnapshot } from '../../lib/snapshot/validate';
import type { Lab } from './lab';
import { requireLab } from './lab';

describe('collector on a real flannel VXLAN node (kernel lab)', () => {
  let lab: Lab | undefined;

  beforeAll(async () => {
    lab = await requireLab({ scenario: 'flannel-vxlan' });
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  const node1 = () => lab!.nodes.find((n) => n.name === 'node1')!;

  it('collects the host netns and each pod netns into one valid snapshot with pod identities', async () => {
    const l = lab!;
    const n1 = node1();
    const { snapshot, warnings } = await collectNode({ nodeName: 'node1', hostNetns: n1.netns, podNetns: `${l.prefix}-node1-*`, podIdentity: l.podIdentity });
    expect(warnings).toEqual([]);
    expect(validateSnapshot(JSON.parse(JSON.stringify(snapshot))).ok).toBe(true);
    expect(snapshot.collector.name).toBe('podnet-collector');
    expect(snapshot.node).toEqual({ name: 'node1', addresses: [n1.underlayIp] });
    const podsOnNode1 = l.pods.filter((p) => p.node === 'node1');
    expect(snapshot.namespaces.map((n) => n.name)).toEqual(['host', ...podsOnNode1.map((p) => p.netns).sort()]);
    for (const p of podsOnNode1) {
      const ns = snapshot.namespaces.find((n) => n.name === p.netns)!;
      expect(ns.kind).toBe('pod');
      expect(ns.pod).toEqual({ namespace: 'default', name: p.name });
      expect(ns.addresses?.some((a) => a.local === p.ip && a.ifname === 'eth0' && a.prefixlen === 24)).toBe(true);
      expect(ns.routes).toContainEqual(expect.objectContaining({ dst: '0.0.0.0/0', gateway: n1.gateway, dev: 'eth0', table: 'main' }));
    }
  });

  it('records flannel.1 as flanneld writes it: VXLAN id 1 on eth0 port 8472, onlink routes, permanent neighbours and FDB entries', async () => {
    const l = lab!;
    const n1 = node1();
    const { snapshot } = await collectNode({ nodeName: 'node1', hostNetns: n1.netns, podNetns: [], podIdentity: l.podIdentity });
    const host = snapshot.namespaces[0]!;
    expect(host.kind).toBe('host');
    const vtep = host.links?.find((x) => x.name === 'flannel.1');
    expect(vtep?.kind).toBe('vxlan');
    expect(vtep?.mtu).toBe(1450);
    expect(vtep?.vxlan).toMatchObject({ id: 1, local: n1.underlayIp, dev: 'eth0', port: 8472, learning: false });
    for (const other of l.nodes.filter((n) => n !== n1)) {
      expect(host.routes).toContainEqual(
        expect.objectContaining({ dst: other.podCidr, gateway: other.vtepIp, dev: 'flannel.1', table: 'main', flags: expect.arrayContaining(['onlink']) }),
      );
      expect(host.neighbours).toContainEqual(expect.objectContaining({ dst: other.vtepIp, dev: 'flannel.1', lladdr: other.vtepMac }));
      expect(host.fdb).toContainEqual(expect.objectContaining({ mac: other.vtepMac, dev: 'flannel.1', dst: other.underlayIp }));
    }
    expect(host.sysctls?.['net.ipv4.ip_forward']).toBe('1');
    expect(host.sysctls?.['net.ipv4.conf.flannel.1.rp_filter']).toBeDefined();
    // Each host veth names its pod's netns by id, and list-id maps that id to the pod netns name.
    for (const p of l.pods.filter((x) => x.node === 'node1')) {
      const veth = host.links?.find((x) => x.name === p.hostVeth);
      expect(veth).toMatchObject({ kind: 'veth', master: 'cni0' });
      const nsid = veth?.peer?.netnsId;
      expect(host.netnsIds?.find((i) => i.nsid === nsid)?.name).toBe(p.netns);
    }
  });

  it('leaves a section unobserved and warns when its command fails, instead of throwing', async () => {
    const n1 = node1();
    const { snapshot, warnings } = await collectNode({ nodeName: 'node1', hostNetns: n1.netns, podNetns: [`${lab!.prefix}-no-such-netns`] });
    const missing = snapshot.namespaces[1]!;
    expect(missing.name).toBe(`${lab!.prefix}-no-such-netns`);
    expect(missing.links).toBeUndefined();
    expect(missing.routes).toBeUndefined();
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toContain(`${lab!.prefix}-no-such-netns`);
  });

  it('writes a transcript whose every command ran cleanly inside the right namespace', async () => {
    const l = lab!;
    const n1 = node1();
    const pods = l.pods.filter((p) => p.node === 'node1').map((p) => p.netns);
    const text = await captureTranscript({ nodeName: 'node1', hostNetns: n1.netns, podNetns: pods });
    expect(text.startsWith('root@node1:~# ip addr\n1: lo: <LOOPBACK,UP,LOWER_UP>')).toBe(true);
    expect(text).toContain(`inet ${n1.underlayIp}/24`);
    expect(text).toMatch(/vxlan id 1 local 192\.168\.50\.11 dev eth0 .*dstport 8472 nolearning/);
    expect(text).toContain('net.ipv4.ip_forward = 1');
    expect(text).toContain(`root@node1:~# ip netns exec ${pods[0]} ip route\ndefault via ${n1.gateway} dev eth0`);
    expect(text).not.toMatch(/Error|Cannot|No such/);
  });
});
