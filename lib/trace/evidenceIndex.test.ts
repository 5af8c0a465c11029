import { describe, it, expect } from 'vitest';
import { fdbFor, fdbForMac, neighboursFor } from './evidenceIndex';
import { fdb, flannelTwoNodes, neigh } from './testTopology';

describe('neighbour and FDB lookups', () => {
  it('answer the same before and after the netns is indexed, matching addresses and MACs canonically', () => {
    const ns = flannelTwoNodes().ns('node1/host');
    ns.neighbours.push(neigh('10.244.003.0 dev flannel.1 lladdr 5E:1F:00:00:00:03 PERMANENT'));
    ns.fdb.push(fdb('5E:1F:00:00:00:03 dev flannel.1 dst 30.0.1.163 self permanent'));
    const ask = () => ({
      n: neighboursFor(ns, 'flannel.1', '10.244.3.0').map((e) => e.lladdr),
      none: neighboursFor(ns, 'cni0', '10.244.3.0').length,
      f: fdbFor(ns, 'flannel.1', '5e:1f:00:00:00:03').map((e) => e.dst),
      m: fdbForMac(ns, '5e:1f:aa:bb:cc:dd').map((e) => e.dev),
    });
    const first = ask();
    expect(first).toEqual({ n: ['5E:1F:00:00:00:03'], none: 0, f: ['30.0.1.163'], m: ['flannel.1'] });
    for (let i = 0; i < 20; i++) expect(ask()).toEqual(first);
  });
});
