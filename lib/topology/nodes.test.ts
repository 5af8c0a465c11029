import { describe, it, expect } from 'vitest';
import { buildTopology } from './build';
import { addr, hostNs, link, route, snapshot } from './testSnapshots';

describe('nodes', () => {
  it('keeps the latest of duplicate snapshots of one node and warns', () => {
    const older = snapshot('n1', [hostNs({ links: [link('old0', 2)] })], { collectedAt: '2025-01-15T10:00:00Z' });
    const newer = snapshot('n1', [hostNs({ links: [link('new0', 2)] })], { collectedAt: '2025-01-15T11:00:00Z' });
    for (const order of [[older, newer], [newer, older]]) {
      const t = buildTopology(order);
      expect(t.nodes).toHaveLength(1);
      expect(t.nodes[0]?.collectedAt).toBe('2025-01-15T11:00:00Z');
      expect(t.interfaces.map((i) => i.name)).toEqual(['new0']);
      expect(t.warnings).toContainEqual(expect.objectContaining({ node: 'n1', message: expect.stringContaining('captured more than once') }));
    }
  });

  it('keeps the last given duplicate when the snapshots carry no times', () => {
    const t = buildTopology([snapshot('n1', [hostNs({ links: [link('first', 2)] })]), snapshot('n1', [hostNs({ links: [link('second', 2)] })])]);
    expect(t.interfaces.map((i) => i.name)).toEqual(['second']);
  });

  it('sorts nodes by name whatever the input order, and is deterministic', () => {
    const input = [snapshot('zeta', [hostNs()]), snapshot('alpha', [hostNs()]), snapshot('mid', [hostNs()])];
    const a = buildTopology(input);
    const b = buildTopology([...input].reverse());
    expect(a.nodes.map((n) => n.name)).toEqual(['alpha', 'mid', 'zeta']);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('unites declared addresses, underlay NIC addresses and Kubernetes addresses; podCIDRs from the cni0 subnet', () => {
    const t = buildTopology([
      snapshot(
        'n1',
        [
          hostNs({
            links: [link('eth0', 2), link('eth1', 3), link('cni0', 4), link('lo', 1)],
            addresses: [addr('lo', '127.0.0.1/8', { scope: 'host' }), addr('eth0', '10.0.0.5/24'), addr('eth0', 'fe80::1/64', { scope: 'link' }), addr('eth1', '192.168.9.5/24'), addr('cni0', '10.244.3.1/24')],
            sysctls: { 'net.ipv4.ip_forward': '1' },
          }),
        ],
        { addresses: ['10.0.0.5'], kubernetes: { nodes: [{ name: 'n1', addresses: ['10.0.0.5', '172.16.0.5'] }] } },
      ),
    ]);
    expect(t.nodes[0]).toMatchObject({
      addresses: ['10.0.0.5', '192.168.9.5', '172.16.0.5'],
      podCidrs: ['10.244.3.0/24'],
      ipForward: true,
      hostNetns: 'n1/host',
      underlay: ['n1/host/eth0', 'n1/host/eth1'],
      datapath: 'route-based',
      captured: true,
      source: 'test',
    });
  });

  it('prefers stated podCIDRs to the bridge subnet', () => {
    const t = buildTopology([
      snapshot('n1', [hostNs({ links: [link('cni0', 4)], addresses: [addr('cni0', '10.244.3.1/24')] })], { podCidrs: ['10.244.3.0/24', 'fd00:3::/64'] }),
    ]);
    expect(t.nodes[0]?.podCidrs).toEqual(['10.244.3.0/24', 'fd00:3::/64']);
  });

  it('marks a Cilium node ebpf and warns that a route-based trace is not faithful there', () => {
    const t = buildTopology([snapshot('n1', [hostNs({ links: [link('cilium_host', 3, { kind: 'veth' }), link('cilium_net', 4, { kind: 'veth' }), link('lxc12ab', 9, { kind: 'veth' })] })])]);
    expect(t.nodes[0]).toMatchObject({ datapath: 'ebpf', ebpf: 'cilium' });
    expect(t.interfaces.map((i) => i.role)).toEqual(['other', 'other', 'host-veth']);
    expect(t.warnings).toContainEqual(expect.objectContaining({ node: 'n1', message: expect.stringContaining('route-based trace is not faithful') }));
  });

  it("marks a Calico eBPF node (bpfin.cali/bpfout.cali) ebpf, naming Calico, and keeps its NAT veths out of pod pairing", () => {
    const t = buildTopology([
      snapshot('n1', [
        hostNs({
          links: [
            link('lo', 1, { kind: 'loopback' }),
            link('eth0', 2, { kind: 'device' }),
            link('vxlan.calico', 5, { kind: 'vxlan' }),
            link('bpfin.cali', 6, { kind: 'veth', peer: { ifindex: 7 } }),
            link('bpfout.cali', 7, { kind: 'veth', peer: { ifindex: 6 } }),
            link('cali0a1b2c3d4e5', 9, { kind: 'veth', peer: { ifindex: 2 } }),
          ],
          addresses: [addr('eth0', '10.0.1.10/24')],
        }),
      ]),
    ]);
    expect(t.nodes[0]).toMatchObject({ datapath: 'ebpf', ebpf: 'calico' });
    expect(t.interfaces.map((i) => [i.name, i.role])).toEqual([
      ['lo', 'loopback'],
      ['eth0', 'underlay'],
      ['vxlan.calico', 'vtep'],
      ['bpfin.cali', 'other'],
      ['bpfout.cali', 'other'],
      ['cali0a1b2c3d4e5', 'host-veth'],
    ]);
    expect(t.warnings).toContainEqual({
      node: 'n1',
      message: "n1 runs Calico's eBPF dataplane (bpfin.cali, bpfout.cali): eBPF forwards pod traffic without the routing table, so a route-based trace is not faithful on this node",
    });
    expect(t.warnings.filter((w) => w.message.includes('peer unknown')).map((w) => w.message)).toEqual(['peer unknown for 1 veth(s) on n1: cali0a1b2c3d4e5']);
  });

  it('leaves a Calico node without the eBPF devices route-based', () => {
    const t = buildTopology([snapshot('n1', [hostNs({ links: [link('eth0', 2, { kind: 'device' }), link('tunl0', 3, { kind: 'ipip' }), link('cali0a1b2c3d4e5', 9, { kind: 'veth' })] })])]);
    expect(t.nodes[0]?.datapath).toBe('route-based');
    expect(t.nodes[0]?.ebpf).toBeUndefined();
  });

  it('creates uncaptured nodes from Kubernetes node facts', () => {
    const t = buildTopology([
      snapshot('n1', [hostNs({ routes: [route('0.0.0.0/0', { gateway: '10.0.0.1', dev: 'eth0' })] })], {
        kubernetes: { nodes: [{ name: 'n2', addresses: ['10.0.0.6'], podCidrs: ['10.244.6.0/24'] }] },
      }),
    ]);
    expect(t.nodes[1]).toEqual({
      id: 'n2',
      name: 'n2',
      addresses: ['10.0.0.6'],
      podCidrs: ['10.244.6.0/24'],
      captured: false,
      tunnels: [],
      underlay: [],
      datapath: 'route-based',
    });
  });

  it('builds an empty topology from no snapshots', () => {
    expect(buildTopology([])).toEqual({ nodes: [], namespaces: [], interfaces: [], pods: [], edges: [], warnings: [] });
  });
});
