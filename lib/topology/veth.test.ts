import { describe, it, expect } from 'vitest';
import { buildTopology } from './build';
import { hostNs, link, podNs, snapshot, veth } from './testSnapshots';
import type { TopoInterface, Topology } from './types';

function iface(t: Topology, id: string): TopoInterface {
  const found = t.interfaces.find((i) => i.id === id);
  if (found === undefined) throw new Error(`no interface ${id}`);
  return found;
}

describe('veth pairing', () => {
  it("pairs a pod's eth0@if6 with host ifindex 6 when several host veths say @if3", () => {
    const t = buildTopology([
      snapshot('n1', [
        hostNs({ links: [link('lo', 1, { kind: 'loopback' }), veth('veth-a', 5, 3, { netnsId: 0 }), veth('veth-b', 6, 3, { netnsId: 1 }), veth('veth-c', 7, 3, { netnsId: 2 })] }),
        podNs('cni-a', { namespace: 'default', name: 'a' }, { links: [veth('eth0', 3, 6, { netnsId: 0 })] }),
        podNs('cni-b', { namespace: 'default', name: 'b' }, { links: [veth('eth0', 3, 5, { netnsId: 0 })] }),
      ]),
    ]);
    expect(iface(t, 'n1/cni-a/eth0').peer).toEqual({ id: 'n1/host/veth-b', state: 'paired', evidence: 'pod eth0@if6 names host ifindex 6' });
    expect(iface(t, 'n1/host/veth-b').peer).toEqual({ id: 'n1/cni-a/eth0', state: 'paired', evidence: 'pod eth0@if6 names host ifindex 6' });
    expect(iface(t, 'n1/cni-b/eth0').peer?.id).toBe('n1/host/veth-a');
    // veth-c also says @if3, like every other host veth: that alone pairs it with nothing.
    expect(iface(t, 'n1/host/veth-c').peer?.state).toBe('unknown');
    const vethEdges = t.edges.filter((e) => e.kind === 'veth');
    expect(vethEdges.map((e) => [e.source, e.target, e.inferred])).toEqual([
      ['n1/cni-a/eth0', 'n1/host/veth-b', false],
      ['n1/cni-b/eth0', 'n1/host/veth-a', false],
    ]);
    expect(t.warnings.some((w) => w.message.includes('peer unknown') && w.message.includes('veth-c'))).toBe(true);
  });

  it('pairs host veths with pods through link_netnsid and ip netns list-id, in the host-to-pod direction', () => {
    // JSON `ip -j -d link` on the host: link_index 2 in netns id 7 / 8; the pods' eth0 give no peer.
    const t = buildTopology([
      snapshot('n1', [
        hostNs({
          links: [veth('veth1', 10, 2, { netnsId: 7 }), veth('veth2', 11, 2, { netnsId: 8 })],
          netnsIds: [
            { nsid: 7, name: 'cni-x' },
            { nsid: 8, name: 'cni-y' },
          ],
        }),
        podNs('cni-x', undefined, { links: [link('eth0', 2, { kind: 'veth' })] }),
        podNs('cni-y', undefined, { links: [link('eth0', 2, { kind: 'veth' })] }),
      ]),
    ]);
    expect(iface(t, 'n1/host/veth1').peer).toMatchObject({ id: 'n1/cni-x/eth0', state: 'paired' });
    expect(iface(t, 'n1/host/veth2').peer).toMatchObject({ id: 'n1/cni-y/eth0', state: 'paired' });
    expect(iface(t, 'n1/cni-y/eth0').peer?.evidence).toContain('link-netnsid 8 = cni-y');
    const edge = t.edges.find((e) => e.kind === 'veth' && e.target === 'n1/host/veth2');
    expect(edge).toMatchObject({ source: 'n1/cni-y/eth0', inferred: false });
  });

  it('pairs the only unpaired pod veth with the only unpaired host veth and marks it inferred', () => {
    const t = buildTopology([
      snapshot('n1', [
        hostNs({ links: [link('eth0', 2, { kind: 'device' }), veth('vethabc', 9, undefined)] }),
        podNs('cni-a', { namespace: 'dev', name: 'a' }, { links: [link('eth0', 3, { kind: 'veth' })] }),
      ]),
    ]);
    const peer = iface(t, 'n1/cni-a/eth0').peer;
    expect(peer).toMatchObject({ id: 'n1/host/vethabc', state: 'inferred' });
    expect(peer?.evidence).toContain('only unpaired');
    expect(iface(t, 'n1/host/vethabc').peer).toMatchObject({ id: 'n1/cni-a/eth0', state: 'inferred' });
    expect(t.edges.filter((e) => e.kind === 'veth')).toEqual([
      expect.objectContaining({ source: 'n1/cni-a/eth0', target: 'n1/host/vethabc', inferred: true }),
    ]);
  });

  it('does not pair by elimination when the ifindexes contradict it', () => {
    const t = buildTopology([
      snapshot('n1', [
        hostNs({ links: [veth('veth6', 6, 3)] }),
        podNs('cni-a', undefined, { links: [veth('eth0', 3, 8)] }),
      ]),
    ]);
    expect(iface(t, 'n1/cni-a/eth0').peer).toEqual({ state: 'unknown', evidence: 'host ifindex 8 (named by eth0@if8) is not in the evidence' });
    expect(iface(t, 'n1/host/veth6').peer?.state).toBe('unknown');
    expect(t.edges.filter((e) => e.kind === 'veth')).toEqual([]);
  });

  it('leaves peers unknown when two pods and two host veths give nothing to pair them by', () => {
    const t = buildTopology([
      snapshot('n1', [
        hostNs({ links: [veth('veth1', 10, undefined), veth('veth2', 11, undefined)] }),
        podNs('cni-a', undefined, { links: [link('eth0', 2, { kind: 'veth' })] }),
        podNs('cni-b', undefined, { links: [link('eth0', 2, { kind: 'veth' })] }),
      ]),
    ]);
    for (const id of ['n1/host/veth1', 'n1/host/veth2', 'n1/cni-a/eth0', 'n1/cni-b/eth0']) {
      expect(iface(t, id).peer?.state).toBe('unknown');
      expect(iface(t, id).peer?.id).toBeUndefined();
    }
    expect(iface(t, 'n1/host/veth1').peer?.evidence).toBe('no captured namespace names veth1 (host ifindex 10) as its peer');
    expect(t.warnings).toContainEqual(expect.objectContaining({ node: 'n1', message: expect.stringContaining('peer unknown for 4 veth(s)') }));
  });

  it('pairs but warns when the host end says @if of another ifindex than the pod eth0 has', () => {
    const t = buildTopology([
      snapshot('n1', [hostNs({ links: [veth('veth6', 6, 9)] }), podNs('cni-a', undefined, { links: [veth('eth0', 3, 6)] })]),
    ]);
    expect(iface(t, 'n1/cni-a/eth0').peer).toMatchObject({ id: 'n1/host/veth6', state: 'paired' });
    expect(t.warnings.some((w) => w.message.includes('says @if9') && w.subject === 'n1/host/veth6')).toBe(true);
  });

  it('reads a pod eth0@ifN without a kind (text ip link) as the pod end of a veth', () => {
    const t = buildTopology([
      snapshot('n1', [
        hostNs({ links: [link('veth12acb4c1', 220, { peer: { ifindex: 2, netnsId: 50 }, master: 'cni0' }), link('cni0', 7)] }),
        podNs('pod', undefined, { links: [link('lo', 1), link('eth0', 2, { peer: { ifindex: 220 } })] }),
      ]),
    ]);
    expect(iface(t, 'n1/pod/eth0').role).toBe('pod-veth');
    expect(iface(t, 'n1/host/veth12acb4c1').role).toBe('host-veth');
    expect(iface(t, 'n1/pod/eth0').peer).toMatchObject({ id: 'n1/host/veth12acb4c1', state: 'paired', evidence: 'pod eth0@if220 names host ifindex 220' });
  });

  it('flags a veth whose two ends have different MTUs', () => {
    const t = buildTopology([
      snapshot('n1', [hostNs({ links: [veth('veth6', 6, 3, { mtu: 1500 })] }), podNs('cni-a', undefined, { links: [veth('eth0', 3, 6, { mtu: 1450 })] })]),
    ]);
    expect(t.edges.find((e) => e.kind === 'veth')?.mtuMismatch).toBe(true);
  });
});

describe('veth pairing by the host end alone (lxc…@ifN from ip -br link, no host ifindex)', () => {
  // cilium-vxlan: `ip -br link` prints `lxc8f2a1c3d9e4b@if10` and `lxc_health@if7` without ifindexes;
  // the pod's `10: eth0@if11` names host ifindex 11, which the listing cannot confirm.
  const host = (extra: ReturnType<typeof veth>[] = [], filtered = false) =>
    hostNs({
      links: [link('lo', undefined), link('ens3', undefined), link('cilium_host', undefined), veth('lxc_health', undefined, 7), veth('lxc8f2a1c3d9e4b', undefined, 10), ...extra],
      ...(filtered ? { filtered: ['links' as const] } : {}),
    });
  const echo = podNs('k8s_default_echo-a', { namespace: 'default', name: 'echo-a' }, { links: [link('lo', 1, { kind: 'loopback' }), veth('eth0', 10, 11, { netnsId: 0 })] });

  it('pairs them as inferred when the host end names the pod end uniquely, leaving the unmatched one unknown', () => {
    const t = buildTopology([snapshot('k8s-cilium-1', [host(), echo])]);
    expect(iface(t, 'k8s-cilium-1/k8s_default_echo-a/eth0').peer).toEqual({
      id: 'k8s-cilium-1/host/lxc8f2a1c3d9e4b',
      state: 'inferred',
      evidence: "inferred: host lxc8f2a1c3d9e4b@if10 names ifindex 10, and eth0 of pod default/echo-a is the only unpaired veth with it; lxc8f2a1c3d9e4b's own ifindex is not in the evidence",
    });
    expect(iface(t, 'k8s-cilium-1/host/lxc8f2a1c3d9e4b').peer).toMatchObject({ id: 'k8s-cilium-1/k8s_default_echo-a/eth0', state: 'inferred' });
    expect(t.edges.filter((e) => e.kind === 'veth').map((e) => [e.source, e.target, e.inferred])).toEqual([
      ['k8s-cilium-1/k8s_default_echo-a/eth0', 'k8s-cilium-1/host/lxc8f2a1c3d9e4b', true],
    ]);
    expect(iface(t, 'k8s-cilium-1/host/lxc_health').peer?.state).toBe('unknown');
  });

  it('pairs nothing when two host ends name the same pod ifindex', () => {
    const t = buildTopology([snapshot('k8s-cilium-1', [host([veth('lxc0b1c2d3e4f5', undefined, 10)]), echo])]);
    expect(iface(t, 'k8s-cilium-1/k8s_default_echo-a/eth0').peer?.state).toBe('unknown');
    expect(t.edges.filter((e) => e.kind === 'veth')).toEqual([]);
  });

  it('pairs nothing when two captured pods have that ifindex', () => {
    const other = podNs('k8s_default_echo-b', { namespace: 'default', name: 'echo-b' }, { links: [veth('eth0', 10, 12, { netnsId: 0 })] });
    const t = buildTopology([snapshot('k8s-cilium-1', [host(), echo, other])]);
    expect(t.edges.filter((e) => e.kind === 'veth')).toEqual([]);
  });

  it('pairs nothing when the host listing was filtered (an unlisted veth could name ifindex 10 too)', () => {
    const t = buildTopology([snapshot('k8s-cilium-1', [host([], true), echo])]);
    expect(iface(t, 'k8s-cilium-1/k8s_default_echo-a/eth0').peer?.state).toBe('unknown');
  });

  it("pairs nothing when the pod's @if11 is another host device", () => {
    const t = buildTopology([snapshot('k8s-cilium-1', [host([link('cilium_vxlan', 11, { kind: 'vxlan' })]), echo])]);
    expect(iface(t, 'k8s-cilium-1/k8s_default_echo-a/eth0').peer?.state).toBe('unknown');
  });
});
