import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseArp } from './arp';

describe('parseArp', () => {
  it('reads arp -an entries, keeping incomplete ones as INCOMPLETE without a MAC', () => {
    const out = parseArp([
      '? (10.30.0.1) at 52:54:00:12:34:01 [ether] on eth0',
      '? (10.30.0.13) at <incomplete> on eth0',
      'gw.lan (192.168.1.1) at 00:50:56:C0:00:08 [ether] PERM on ens33',
    ], 1);
    expect(out.skipped).toEqual([]);
    expect(out.items).toEqual([
      { dst: '10.30.0.1', dev: 'eth0', lladdr: '52:54:00:12:34:01' },
      { dst: '10.30.0.13', dev: 'eth0', state: ['INCOMPLETE'] },
      { dst: '192.168.1.1', dev: 'ens33', lladdr: '00:50:56:c0:00:08', state: ['PERMANENT'] },
    ]);
  });

  it('reads the arp -n table', () => {
    const out = parseArp([
      'Address                  HWtype  HWaddress           Flags Mask            Iface',
      '10.30.0.1                ether   52:54:00:12:34:01   C                     eth0',
      '10.30.0.13                       (incomplete)                              eth0',
      '10.244.0.12              ether   3a:9f:0c:11:7e:42   CM                    cni0',
    ], 4);
    expect(out.items).toEqual([
      { dst: '10.30.0.1', dev: 'eth0', lladdr: '52:54:00:12:34:01' },
      { dst: '10.30.0.13', dev: 'eth0', state: ['INCOMPLETE'] },
      { dst: '10.244.0.12', dev: 'cni0', lladdr: '3a:9f:0c:11:7e:42', state: ['PERMANENT'] },
    ]);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.array(fc.string()), (lines) => { parseArp(lines, 1); }), { numRuns: 300 });
  });
});
