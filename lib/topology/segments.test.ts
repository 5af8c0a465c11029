import { describe, it, expect } from 'vitest';
import { buildTopology } from './build';
import { MAX_SEGMENT_MEMBERS } from './segments';
import { addr, hostNs, link, snapshot } from './testSnapshots';

const node = (i: number, cidr: string) => snapshot(`n${String(i).padStart(3, '0')}`, [hostNs({ links: [link('eth0', 2)], addresses: [addr('eth0', cidr)] })]);

describe('l2-segment edges', () => {
  it('joins every pair of underlay NICs of different nodes on one subnet', () => {
    const t = buildTopology([node(1, '10.0.0.1/24'), node(2, '10.0.0.2/24'), node(3, '10.0.0.3/24'), node(4, '10.0.1.4/24')]);
    expect(t.edges.filter((e) => e.kind === 'l2-segment').map((e) => `${e.source} ${e.target}`)).toEqual([
      'n001/host/eth0 n002/host/eth0',
      'n001/host/eth0 n003/host/eth0',
      'n002/host/eth0 n003/host/eth0',
    ]);
  });

  it(`draws none for a subnet of more than ${MAX_SEGMENT_MEMBERS} NICs, keeping big clusters linear`, () => {
    const snaps = Array.from({ length: MAX_SEGMENT_MEMBERS + 1 }, (_, i) => node(i, `10.0.${Math.floor(i / 200)}.${(i % 200) + 1}/16`));
    expect(buildTopology(snaps).edges.filter((e) => e.kind === 'l2-segment')).toEqual([]);
    const t = buildTopology(snaps.slice(0, MAX_SEGMENT_MEMBERS));
    expect(t.edges.filter((e) => e.kind === 'l2-segment')).toHaveLength((MAX_SEGMENT_MEMBERS * (MAX_SEGMENT_MEMBERS - 1)) / 2);
  });
});

describe('l2-segment edges and duplicate addresses', () => {
  const vm = (name: string, nat: string, hostOnly: string) =>
    snapshot(name, [hostNs({ links: [link('enp0s3', 2), link('enp0s8', 3)], addresses: [addr('enp0s3', nat), addr('enp0s8', hostOnly)] })]);

  it('draws no segment between NICs that hold the same address (every Vagrant VM is 10.0.2.15 on its own NAT) and says why', () => {
    const t = buildTopology([vm('k8s-master', '10.0.2.15/24', '192.168.56.10/24'), vm('k8s-worker1', '10.0.2.15/24', '192.168.56.11/24')]);
    expect(t.edges.filter((e) => e.kind === 'l2-segment').map((e) => `${e.source} ${e.target}`)).toEqual(['k8s-master/host/enp0s8 k8s-worker1/host/enp0s8']);
    expect(t.warnings).toContainEqual(
      expect.objectContaining({ subject: '10.0.2.15', message: expect.stringContaining('k8s-master/enp0s3 and k8s-worker1/enp0s3 both hold 10.0.2.15 on 10.0.2.0/24') }),
    );
  });

  it('still joins a third NIC with its own address on that subnet to each of them', () => {
    const t = buildTopology([vm('a', '10.0.2.15/24', '192.168.56.10/24'), vm('b', '10.0.2.15/24', '192.168.56.11/24'), vm('c', '10.0.2.16/24', '192.168.56.12/24')]);
    expect(t.edges.filter((e) => e.kind === 'l2-segment' && e.source.endsWith('enp0s3')).map((e) => `${e.source} ${e.target}`)).toEqual([
      'a/host/enp0s3 c/host/enp0s3',
      'b/host/enp0s3 c/host/enp0s3',
    ]);
  });
});
