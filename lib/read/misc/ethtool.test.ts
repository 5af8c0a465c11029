import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEthtoolStats } from './ethtool';

describe('parseEthtoolStats', () => {
  it('reads peer_ifindex of a veth', () => {
    const out = parseEthtoolStats(['NIC statistics:', '     peer_ifindex: 6', '     rx_queue_0_xdp_packets: 0'], 1);
    expect(out.items).toEqual([{ peerIfindex: 6, counters: 2 }]);
  });

  it('reports "no stats available" as a warning', () => {
    const out = parseEthtoolStats(['no stats available'], 3);
    expect(out.items).toEqual([]);
    expect(out.warnings[0]?.line).toBe(3);
  });
});

describe('ethtool parsers on arbitrary lines', () => {
  it('never throw', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { maxLength: 20 }), fc.integer({ min: 1, max: 1000 }), (lines, first) => {
        parseEthtoolStats(lines, first);
      }),
      { numRuns: 200 },
    );
  });
});
