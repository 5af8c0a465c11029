import { describe, it, expect } from 'vitest';
import { generateFlannelCluster } from '../synthetic/flannelCluster';
import { buildTopology } from '../topology/build';
import { clusterGraph } from './clusterGraph';
import { graphPositions } from './layouts';
import { labTopology } from './testGraph';

describe('graphPositions', () => {
  it('places every leaf, the same way every time', () => {
    const g = clusterGraph(labTopology(), { expand: [] });
    const p = graphPositions(g);
    for (const id of [...g.devices.map((d) => d.id), ...g.pods.map((x) => x.id)]) expect(p[id]).toBeDefined();
    const again = graphPositions(clusterGraph(labTopology(), { expand: ['node1'] }));
    expect(again).toEqual(p);
  });

  it('reads the datapath top to bottom: NIC above tunnel above bridge above host veth above pod', () => {
    const p = graphPositions(clusterGraph(labTopology(), { expand: [] }));
    const y = (id: string) => p[id]!.y;
    expect(y('if:node1/host/eth0')).toBeLessThan(y('if:node1/host/flannel.1'));
    expect(y('if:node1/host/flannel.1')).toBeLessThan(y('if:node1/host/cni0'));
    expect(y('if:node1/host/cni0')).toBeLessThan(y('if:node1/host/vethc332f235'));
    expect(y('if:node1/host/vethc332f235')).toBeLessThan(y('pod:default/web-node1-a'));
    expect(p['if:node1/host/vethc332f235']!.x).toBe(p['pod:default/web-node1-a']!.x);
  });

  it('packs collapsed nodes in a square-ish grid without overlaps', () => {
    const g = clusterGraph(buildTopology(generateFlannelCluster({ nodes: 36, podsPerNode: 1, seed: 3 })), { expand: [], collapseAbove: 10 });
    const p = graphPositions(g);
    const pts = g.nodes.map((n) => p[n.id]!);
    expect(new Set(pts.map((q) => q.y)).size).toBe(6);
    const key = new Set(pts.map((q) => `${q.x},${q.y}`));
    expect(key.size).toBe(36);
  });
});
