import { describe, it, expect } from 'vitest';
import { generateFlannelCluster } from '../synthetic/flannelCluster';
import { buildTopology } from '../topology/build';
import { clusterGraph, linkState } from './clusterGraph';
import { labTopology } from './testGraph';

describe('clusterGraph on the lab’s flannel VXLAN capture', () => {
  const t = labTopology();

  it('expands every node of a small cluster and draws devices, pods and the tunnel mesh', () => {
    const g = clusterGraph(t, { expand: [] });
    expect(g.summary).toMatchObject({ nodes: 3, capturedNodes: 3, pods: 6, collapsedByDefault: false, expanded: ['node1', 'node2', 'node3'], omittedEdges: 0 });
    expect(g.nodes.map((n) => n.name)).toEqual(['node1', 'node2', 'node3']);
    expect(g.pods.map((p) => p.topoId)).toContain('default/web-node2-a');
    expect(g.devices.filter((d) => d.role === 'bridge').map((d) => d.id)).toEqual(['if:node1/host/cni0', 'if:node2/host/cni0', 'if:node3/host/cni0']);
    const vx = g.edges.filter((e) => e.kind === 'vxlan');
    expect(vx).toHaveLength(3);
    expect(vx.find((e) => e.source === 'if:node1/host/flannel.1' && e.target === 'if:node2/host/flannel.1')?.label).toBe('VNI 1 · 192.168.50.11 → 192.168.50.12');
    // The pod side of a veth is drawn as its pod.
    expect(g.edges.find((e) => e.kind === 'veth' && e.target === 'if:node1/host/vethc332f235')?.source).toBe('pod:default/web-node1-a');
  });

  it('traces a pod’s way out: eth0, host veth, cni0, the route to another node via flannel.1, then the underlay NIC', () => {
    const g = clusterGraph(t, { expand: [] });
    const pod = g.pods.find((p) => p.topoId === 'default/web-node1-a')!;
    expect(pod.pathSteps.map((s) => [s.stage, s.id])).toEqual([
      ['pod', 'pod:default/web-node1-a'],
      ['veth', 'if:node1/host/vethc332f235'],
      ['bridge', 'if:node1/host/cni0'],
      ['route', 'if:node1/host/flannel.1'],
      ['tunnel', 'if:node1/host/flannel.1'],
      ['nic', 'if:node1/host/eth0'],
    ]);
    expect(pod.pathSteps[3]?.text).toBe('route 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink');
    expect(pod.path).toContain('e:bridge-port:node1/host/vethc332f235->node1/host/cni0');
    expect(pod.pathNote).toBeNull();
    // Every id of the path is a drawn element.
    const ids = new Set([...g.pods.map((p) => p.id), ...g.devices.map((d) => d.id), ...g.edges.map((e) => e.id)]);
    for (const id of pod.path) expect(ids.has(id)).toBe(true);
  });

  it('collapses nodes above the threshold into boxes joined by one merged edge per pair and kind', () => {
    const g = clusterGraph(t, { expand: [], collapseAbove: 2 });
    expect(g.summary.collapsedByDefault).toBe(true);
    expect(g.devices).toEqual([]);
    expect(g.pods).toEqual([]);
    expect(g.nodes.every((n) => !n.expanded)).toBe(true);
    expect(g.nodes[0]).toMatchObject({ podCount: 2, deviceCount: 5, podNamespaces: ['default'], ipForward: true });
    // Two VXLAN peers and two underlay NICs on the same subnet.
    expect(g.nodes[0]?.peerLinks).toBe(4);
    expect(g.edges.map((e) => e.id)).toEqual([
      'agg:l2-segment:node:node1~node:node2',
      'agg:l2-segment:node:node1~node:node3',
      'agg:l2-segment:node:node2~node:node3',
      'agg:vxlan:node:node1~node:node2',
      'agg:vxlan:node:node1~node:node3',
      'agg:vxlan:node:node2~node:node3',
    ]);
    expect(g.edges[3]).toMatchObject({ aggregated: true, count: 1, vni: 1, label: 'VNI 1 · 192.168.50.11 → 192.168.50.12' });
    expect(g.edges[0]).toMatchObject({ kind: 'l2-segment', label: 'same subnet' });
  });

  it('leaves collapsed-to-collapsed edges out beyond the budget and counts them', () => {
    const g = clusterGraph(t, { expand: [], collapseAbove: 2, edgeBudget: 2 });
    expect(g.edges).toEqual([]);
    expect(g.summary.omittedEdges).toBe(6);
  });

  it('draws an expanded node’s tunnels to the collapsed boxes of the others', () => {
    const g = clusterGraph(t, { expand: ['node2', 'no-such-node'], collapseAbove: 2, edgeBudget: 0 });
    expect(g.summary.expanded).toEqual(['node2']);
    expect(g.pods.map((p) => p.topoId)).toEqual(['default/web-node2-a', 'default/web-node2-b']);
    const fromNode2 = g.edges.filter((e) => e.kind === 'vxlan').map((e) => [e.source, e.target].sort());
    expect(fromNode2).toEqual([
      ['if:node2/host/flannel.1', 'node:node1'],
      ['if:node2/host/flannel.1', 'node:node3'],
    ]);
    // node1–node3: their tunnel and their shared subnet.
    expect(g.summary.omittedEdges).toBe(2);
  });

  it('expands the nodes of a search’s matches and lists them', () => {
    const g = clusterGraph(t, { expand: [], collapseAbove: 2, focus: '10.244.3.3' });
    expect(g.matches[0]).toMatchObject({ kind: 'pod', elementId: 'pod:default/web-node3-b', node: 'node:node3', field: 'ip' });
    expect(g.summary.expanded).toEqual(['node3']);
  });

  it('marks down devices, their edges, unknown peers and ip_forward off', () => {
    const broken = labTopology((snaps) => {
      const host = snaps.find((s) => s.node.name === 'node1')!.namespaces.find((n) => n.kind === 'host')!;
      const cni0 = host.links!.find((l) => l.name === 'cni0')!;
      cni0.flags = (cni0.flags ?? []).filter((f) => f !== 'UP' && f !== 'LOWER_UP');
      cni0.operState = 'DOWN';
      host.sysctls = { ...host.sysctls, 'net.ipv4.ip_forward': '0' };
      const pod = snaps.find((s) => s.node.name === 'node1')!.namespaces.find((n) => n.pod?.name === 'web-node1-b')!;
      const eth0 = pod.links!.find((l) => l.name === 'eth0')!;
      delete eth0.peer;
      delete host.links!.find((l) => l.name === 'veth3be366e9')!.peer;
    });
    const g = clusterGraph(broken, { expand: [] });
    expect(g.devices.find((d) => d.id === 'if:node1/host/cni0')?.state).toBe('down');
    expect(g.edges.filter((e) => e.kind === 'bridge-port' && e.target === 'if:node1/host/cni0').every((e) => e.down)).toBe(true);
    const node1 = g.nodes.find((n) => n.name === 'node1')!;
    expect(node1).toMatchObject({ ipForward: false, downDevices: 1 });
    expect(node1.unknownPeers + node1.inferredPeers).toBeGreaterThan(0);
    expect(['unknown', 'inferred']).toContain(g.pods.find((p) => p.topoId === 'default/web-node1-b')?.peerState);
    expect(g.pods.find((p) => p.topoId === 'default/web-node1-a')?.pathNote).toMatch(/ip_forward=0/);
  });

  it('returns the same cut for the same topology and options', () => {
    expect(clusterGraph(t, { expand: ['node1'] })).toBe(clusterGraph(t, { expand: ['node1'] }));
  });
});

describe('linkState', () => {
  it('reads admin state, carrier and operstate the way ip link shows them', () => {
    const base = { id: 'n/host/x', node: 'n', netns: 'n/host', name: 'x', role: 'other' as const, addresses: [] };
    expect(linkState({ ...base, adminUp: true, lowerUp: true, operState: 'UP' })).toBe('up');
    expect(linkState({ ...base, adminUp: true, operState: 'UNKNOWN' })).toBe('up');
    expect(linkState({ ...base, adminUp: false })).toBe('down');
    expect(linkState({ ...base, adminUp: true, lowerUp: false })).toBe('down');
    expect(linkState({ ...base, operState: 'LOWERLAYERDOWN' })).toBe('down');
    expect(linkState(base)).toBe('unknown');
  });
});

describe('clusterGraph on a synthetic 40-node cluster', () => {
  const t = buildTopology(generateFlannelCluster({ nodes: 40, podsPerNode: 3, seed: 7 }));

  it('collapses above 30 nodes and keeps the full mesh while it fits the budget', () => {
    const g = clusterGraph(t, { expand: [] });
    expect(g.summary.collapsedByDefault).toBe(true);
    expect(g.nodes).toHaveLength(40);
    expect(g.edges.filter((e) => e.kind === 'vxlan')).toHaveLength((40 * 39) / 2);
    expect(g.nodes.every((n) => n.podCount === 3 && n.peerLinks === 39)).toBe(true);
  });
});
