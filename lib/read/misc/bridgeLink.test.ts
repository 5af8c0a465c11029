import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBridgeLinkText, readBridgeLinkJson } from './bridgeLink';

describe('bridge link parsers', () => {
  it('keeps @ifN as the peer but not a same-namespace name like @ifb0', () => {
    const out = parseBridgeLinkText(
      [
        '5: veth1@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 master cni0 state forwarding priority 32 cost 2',
        '6: e2test-v0@ifb0: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 master e2test-br0 state forwarding priority 32 cost 2 ',
      ],
      1,
    );
    expect(out.items).toEqual([
      { name: 'veth1', ifindex: 5, peer: { ifindex: 4 }, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1450, master: 'cni0' },
      { name: 'e2test-v0', ifindex: 6, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP', 'M-DOWN'], mtu: 1500, master: 'e2test-br0' },
    ]);
    expect(readBridgeLinkJson([{ ifindex: 5, ifname: 'veth1', master: 'cni0', mtu: 1450 }]).items).toEqual([
      { name: 'veth1', ifindex: 5, master: 'cni0', mtu: 1450 },
    ]);
  });
});

describe('bridgeLink parsers on arbitrary lines', () => {
  it('never throw', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { maxLength: 20 }), fc.integer({ min: 1, max: 1000 }), (lines, first) => {
        parseBridgeLinkText(lines, first);
      }),
      { numRuns: 200 },
    );
  });
});
