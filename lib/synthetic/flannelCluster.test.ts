import { describe, it, expect } from 'vitest';
import { flannelClusterNodes, flannelClusterPlan, generateFlannelCluster, syntheticNodeAddress, syntheticPodIp } from './flannelCluster';
import { validateSnapshot } from '../snapshot/validate';
import { parsePrefix, prefixContains } from '../net/ip';
import type { NetnsSnapshot, Snapshot } from '../snapshot/schema';

function host(s: Snapshot): NetnsSnapshot {
  const h = s.namespaces.find((n) => n.kind === 'host');
  if (!h) throw new Error(`no host netns in ${s.node.name}`);
  return h;
}

describe('generateFlannelCluster', () => {
  it('produces snapshots that validate against format v1', () => {
    const snaps = generateFlannelCluster({ nodes: 4, podsPerNode: 5, seed: 1 });
    expect(snaps).toHaveLength(4);
    for (const s of snaps) {
      const v = validateSnapshot(JSON.parse(JSON.stringify(s)));
      expect(v.ok ? [] : v.issues).toEqual([]);
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = JSON.stringify(generateFlannelCluster({ nodes: 3, podsPerNode: 4, seed: 42 }));
    const b = JSON.stringify(generateFlannelCluster({ nodes: 3, podsPerNode: 4, seed: 42 }));
    const c = JSON.stringify(generateFlannelCluster({ nodes: 3, podsPerNode: 4, seed: 43 }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('gives each node one flannel route, neighbour and FDB entry per remote node, pointing at that node', () => {
    const snaps = generateFlannelCluster({ nodes: 3, podsPerNode: 2, seed: 7 });
    const n0 = host(snaps[0]!);
    const toNode2 = n0.routes?.find((r) => r.dst === '10.244.2.0/24');
    expect(toNode2).toMatchObject({ gateway: '10.244.2.0', dev: 'flannel.1', flags: ['onlink'], table: 'main' });
    const vtep2 = host(snaps[2]!).links?.find((l) => l.name === 'flannel.1');
    expect(n0.neighbours?.filter((n) => n.dev === 'flannel.1')).toHaveLength(2);
    expect(n0.neighbours).toContainEqual({ dst: '10.244.2.0', dev: 'flannel.1', lladdr: vtep2?.mac, state: ['PERMANENT'] });
    expect(n0.fdb?.filter((f) => f.dev === 'flannel.1')).toHaveLength(2);
    expect(n0.fdb).toContainEqual(expect.objectContaining({ mac: vtep2?.mac, dev: 'flannel.1', dst: syntheticNodeAddress(2) }));
    expect(vtep2?.vxlan).toMatchObject({ id: 1, local: syntheticNodeAddress(2), dev: 'eth0', port: 8472 });
  });

  it('pairs every pod eth0 with its host veth through ifindex and netns ids', () => {
    const [s] = generateFlannelCluster({ nodes: 1, podsPerNode: 6, seed: 3 });
    const h = host(s!);
    const pods = s!.namespaces.filter((n) => n.kind === 'pod');
    expect(pods).toHaveLength(6);
    for (const pod of pods) {
      const eth0 = pod.links?.find((l) => l.name === 'eth0');
      const hostVeth = h.links?.find((l) => l.ifindex === eth0?.peer?.ifindex);
      expect(hostVeth?.kind).toBe('veth');
      expect(hostVeth?.master).toBe('cni0');
      expect(hostVeth?.peer?.ifindex).toBe(eth0?.ifindex);
      const nsid = h.netnsIds?.find((n) => n.nsid === hostVeth?.peer?.netnsId);
      expect(nsid?.name).toBe(pod.name);
      expect(pod.pod?.name).toBeTruthy();
    }
  });

  it('addresses pods inside their node podCIDR and lists them as Kubernetes pods of that node', () => {
    const snaps = generateFlannelCluster({ nodes: 2, podsPerNode: 3, seed: 9 });
    const s = snaps[1]!;
    const cidr = parsePrefix(s.node.podCidrs?.[0] ?? '');
    expect(cidr).not.toBeNull();
    for (const p of s.kubernetes?.pods ?? []) {
      expect(p.node).toBe(s.node.name);
      expect(prefixContains(cidr!, p.ip ?? '')).toBe(true);
    }
    expect(syntheticPodIp(2, 1, 0)).toBe('10.244.1.2');
    expect(s.kubernetes?.pods?.map((p) => p.ip)).toEqual(['10.244.1.2', '10.244.1.3', '10.244.1.4']);
  });

  it('switches to a /9 cluster CIDR above 256 nodes so every node keeps a /24', () => {
    expect(flannelClusterPlan(256).clusterCidr).toBe('10.244.0.0/16');
    expect(flannelClusterPlan(257).clusterCidr).toBe('10.128.0.0/9');
    expect(syntheticPodIp(1000, 999, 0)).toBe('10.131.231.2');
    const snaps = generateFlannelCluster({ nodes: 300, podsPerNode: 1, seed: 5 });
    const last = snaps[299]!;
    expect(last.node.podCidrs).toEqual(['10.129.43.0/24']);
    const podRoutes = last.namespaces.find((n) => n.kind === 'pod')?.routes;
    expect(podRoutes?.some((r) => r.dst === '10.128.0.0/9')).toBe(true);
    expect(validateSnapshot(JSON.parse(JSON.stringify(last))).ok).toBe(true);
  });

  it('yields the same nodes one at a time as it returns at once', () => {
    const opts = { nodes: 3, podsPerNode: 2, seed: 11 };
    expect([...flannelClusterNodes(opts)]).toEqual(generateFlannelCluster(opts));
  });

  it('rejects sizes that do not fit the addressing plan', () => {
    expect(() => generateFlannelCluster({ nodes: 0, podsPerNode: 1, seed: 1 })).toThrow(RangeError);
    expect(() => generateFlannelCluster({ nodes: 1, podsPerNode: 254, seed: 1 })).toThrow(RangeError);
  });
});
