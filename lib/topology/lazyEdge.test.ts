import { describe, it, expect } from 'vitest';
import { buildTopology } from './build';
import { EdgeSet } from './edges';
import { BridgePortEdge, FdbVxlanEdge, VethEdge, fdbLine } from './lazyEdge';
import { generateFlannelCluster } from '../synthetic/flannelCluster';
import { fdb, flannelHost, neigh, snapshot } from './testSnapshots';

const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('FDB VXLAN edges with lazily formatted evidence', () => {
  it('serialise and read exactly like the plain edges of a small build', () => {
    const snaps = generateFlannelCluster({ nodes: 12, podsPerNode: 2, seed: 3 });
    const eager = buildTopology(snaps);
    const lazy = buildTopology(snaps, { lazyEvidenceFromNodes: 0 });
    expect(eager.edges.some((e) => e instanceof FdbVxlanEdge)).toBe(false);
    expect(lazy.edges.filter((e) => e instanceof FdbVxlanEdge)).toHaveLength((12 * 11) / 2);
    expect(eager.edges.some((e) => e instanceof VethEdge || e instanceof BridgePortEdge)).toBe(false);
    expect(lazy.edges.filter((e) => e instanceof VethEdge)).toHaveLength(12 * 2);
    expect(lazy.edges.filter((e) => e instanceof BridgePortEdge)).toHaveLength(12 * 2);
    expect(JSON.stringify(lazy)).toBe(JSON.stringify(eager));
    expect(lazy.edges.map((e) => [e.id, e.kind, e.source, e.target, e.inferred, e.evidence, e.vni, e.outerSrc, e.outerDst, e.dstPort])).toEqual(
      eager.edges.map((e) => [e.id, e.kind, e.source, e.target, e.inferred, e.evidence, e.vni, e.outerSrc, e.outerDst, e.dstPort]),
    );
  });

  it('pair both nodes’ entries into one edge, ordered by id, with the neighbour entry in the line', () => {
    const t = buildTopology(
      [
        snapshot('node2', [flannelHost(2, { fdb: [fdb('0a:00:00:00:00:01', 'flannel.1', '192.168.0.1')] })]),
        snapshot('node1', [
          flannelHost(1, { fdb: [fdb('0A:00:00:00:00:02', 'flannel.1', '192.168.0.2')], neighbours: [neigh('10.244.2.0', 'flannel.1', '0a:00:00:00:00:02')] }),
        ]),
      ],
      { lazyEvidenceFromNodes: 2 },
    );
    const vxlan = t.edges.filter((e) => e.kind === 'vxlan');
    expect(vxlan).toHaveLength(1);
    expect(vxlan[0]).toBeInstanceOf(FdbVxlanEdge);
    expect(plain(vxlan[0])).toEqual({
      id: 'vxlan:node1/host/flannel.1<->node2/host/flannel.1',
      kind: 'vxlan',
      source: 'node1/host/flannel.1',
      target: 'node2/host/flannel.1',
      inferred: false,
      evidence: [
        'node1: fdb 0a:00:00:00:00:02 dev flannel.1 dst 192.168.0.2, neigh 10.244.2.0 lladdr 0a:00:00:00:00:02',
        'node2: fdb 0a:00:00:00:00:01 dev flannel.1 dst 192.168.0.1',
      ],
      vni: 1,
      outerDst: '192.168.0.2',
      outerSrc: '192.168.0.1',
      dstPort: 8472,
    });
  });

  it('cap evidence and count the rest as EdgeSet does', () => {
    const side = { node: 'n', dev: 'flannel.1', neigh: undefined };
    const line = (k: number): string => fdbLine('n', `0a:00:00:00:00:${String(k).padStart(2, '0')}`, 'flannel.1', '10.0.0.2', undefined);
    const lazy = new FdbVxlanEdge('a/host/flannel.1', 'b/host/flannel.1', side, '0a:00:00:00:00:00', '10.0.0.2');
    const set = new EdgeSet();
    const eager = set.pair('vxlan', 'a/host/flannel.1', 'b/host/flannel.1', false, line(0));
    for (let k = 1; k <= 12; k++) {
      lazy.addFdb(side, `0a:00:00:00:00:${String(k).padStart(2, '0')}`, '10.0.0.2');
      set.addEvidence(eager, line(k));
    }
    set.finish();
    expect(lazy.evidence).toEqual(eager.evidence);
    expect(lazy.evidence.at(-1)).toBe('… and 3 more');
    expect(lazy.id).toBe(eager.id);
  });

  it('take assigned evidence and ids like a plain object', () => {
    const e = new FdbVxlanEdge('a/host/v', 'b/host/v', { node: 'a', dev: 'v', neigh: undefined }, '0a:00:00:00:00:01', '10.0.0.2');
    e.evidence = ['replaced'];
    e.id = 'x';
    expect(plain(e)).toEqual({ id: 'x', kind: 'vxlan', source: 'a/host/v', target: 'b/host/v', inferred: false, evidence: ['replaced'] });
  });

  it('veth and bridge-port edges: fields set later serialise after the evidence, in the order set, as on a plain edge', () => {
    const lines = Object.freeze(['pod eth0@if7 names host ifindex 7']);
    const veth = new VethEdge('n/p/eth0', 'n/host/veth1', false, lines);
    veth.mtuMismatch = true;
    expect(veth.evidence).toBe(lines);
    expect(JSON.stringify(veth)).toBe(
      JSON.stringify({ id: 'veth:n/p/eth0->n/host/veth1', kind: 'veth', source: 'n/p/eth0', target: 'n/host/veth1', inferred: false, evidence: lines, mtuMismatch: true }),
    );
    const port = new BridgePortEdge('n/host/veth1', 'n/host/cni0', 'veth1', 'cni0', true);
    expect(port.evidence).toEqual(['veth1 bridge fdb: master cni0']);
    expect(port.evidence).toBe(port.evidence);
    port.evidence = ['replaced'];
    port.id = 'x';
    expect(plain(port)).toEqual({ id: 'x', kind: 'bridge-port', source: 'n/host/veth1', target: 'n/host/cni0', inferred: false, evidence: ['replaced'] });
    expect(plain(new BridgePortEdge('a/h/v', 'a/h/br', 'v', 'br', false))).toEqual({ id: 'bridge-port:a/h/v->a/h/br', kind: 'bridge-port', source: 'a/h/v', target: 'a/h/br', inferred: false, evidence: ['v master br'] });
  });
});
