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
