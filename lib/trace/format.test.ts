import { describe, it, expect } from 'vitest';
import { formatFdb, formatNeighbour, formatRoute, formatRule } from './format';
import { fdb, neigh, route } from './testTopology';

describe('formatRoute prints routes as ip route does', () => {
  it.each([
    '10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink',
    'default via 10.244.1.1 dev eth0',
    'blackhole 10.244.7.64/26 proto bird',
    '172.22.1.0/24 via 10.30.180.55 dev eth0',
    '10.244.7.65 dev calia1b2c3d4e5f scope link',
    '10.244.9.0/26 via 192.168.50.12 dev tunl0 proto bird onlink',
    'default via 10.30.180.254 dev eth0 proto static metric 100',
    '10.30.180.0/24 dev eth0 proto kernel scope link src 10.30.180.56 metric 100',
  ])('%s', (line) => {
    expect(formatRoute(route(line))).toBe(line);
  });

  it('prints a non-main table and multipath next hops', () => {
    expect(formatRoute(route('throw 10.60.0.0/16', '200'))).toBe('throw 10.60.0.0/16 table 200');
    expect(formatRoute(route('10.70.0.0/16 nexthop via 30.0.1.1 dev ens3 weight 1 nexthop via 30.0.1.2 dev ens3 weight 2', '200'))).toBe(
      '10.70.0.0/16 table 200 nexthop via 30.0.1.1 dev ens3 weight 1 nexthop via 30.0.1.2 dev ens3 weight 2',
    );
  });
});

describe('formatNeighbour, formatFdb, formatRule', () => {
  it('prints neighbours as ip neigh does', () => {
    expect(formatNeighbour(neigh('30.0.1.6 dev ens3 lladdr 02:00:00:00:00:06 router REACHABLE'))).toBe('30.0.1.6 dev ens3 lladdr 02:00:00:00:00:06 router REACHABLE');
    expect(formatNeighbour(neigh('30.0.1.161 dev ens3 FAILED'))).toBe('30.0.1.161 dev ens3 FAILED');
  });

  it('prints FDB entries as bridge fdb does', () => {
    for (const line of ['5e:1f:aa:bb:cc:dd dev flannel.1 dst 30.0.1.161 self permanent', 'f6:a2:31:a6:6e:c5 dev veth1a master cni0', '02:85:eb:71:d6:fd dev veth1a master cni0 permanent']) {
      expect(formatFdb(fdb(line))).toBe(line);
    }
  });

  it('prints rules as ip rule does', () => {
    expect(formatRule({ family: 4, priority: 100, src: '10.0.0.0/24', action: 'lookup', table: '200' })).toBe('100:\tfrom 10.0.0.0/24 lookup 200');
    expect(formatRule({ family: 4, priority: 101, not: true, src: 'all', fwmark: '0x1/0x1', action: 'lookup', table: '100' })).toBe('101:\tnot from all fwmark 0x1/0x1 lookup 100');
    expect(formatRule({ family: 4, priority: 32766, action: 'lookup', table: '254' })).toBe('32766:\tfrom all lookup main');
  });
});
