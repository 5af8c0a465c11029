import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSysfsGrepList, parseSysfsGrepValues, parseSysfsListing, parseSysfsNumber } from './sysfs';

describe('sysfs parsers', () => {
  it('reads one number from iflink and refuses several', () => {
    expect(parseSysfsNumber(['220'], 10, 'iflink').items).toEqual([220]);
    expect(parseSysfsNumber(['1', '2'], 10, 'iflink').skipped).toHaveLength(2);
  });

  it('reads interface names from grep -l paths and path:value pairs', () => {
    expect(parseSysfsGrepList(['/sys/class/net/veth12acb4c1/ifindex'], 1, 'ifindex').items).toEqual(['veth12acb4c1']);
    expect(parseSysfsGrepValues(['/sys/class/net/eth0/iflink:6', '/sys/class/net/lo/iflink:1'], 1, 'iflink').items).toEqual([
      { ifname: 'eth0', value: '6' },
      { ifname: 'lo', value: '1' },
    ]);
  });

  it('reads master, lower_ and bridge entries from ls -l with any date format', () => {
    const out = parseSysfsListing(
      [
        'total 0',
        'lrwxrwxrwx.   1 root root    0 12 月  5 21:49 master -> ../cni0',
        'lrwxrwxrwx 1 root root 0 Nov 23 11:18 lower_veth0c9a5076 -> ../veth0c9a5076',
        'lrwxrwxrwx 1 root root 0 Nov 23 11:18 upper_cni0 -> ../cni0',
        'drwxr-xr-x 2 root root 0 Nov 23 11:18 brif',
        '-r--r--r-- 1 root root 4096 Nov 23 11:18 iflink',
      ],
      1,
      { ifname: 'x', brif: false },
    );
    expect(out.items).toEqual([
      { kind: 'master', master: 'cni0' },
      { kind: 'lower', name: 'veth0c9a5076' },
      { kind: 'upper', name: 'cni0' },
      { kind: 'is-bridge' },
    ]);
  });

  it('reads brif ports and the device list of /sys/class/net', () => {
    expect(parseSysfsListing(['lrwxrwxrwx 1 root root 0 Nov 23 11:18 veth1 -> ../../veth1/brport'], 1, { ifname: 'cni0', brif: true }).items).toEqual([
      { kind: 'port', name: 'veth1' },
    ]);
    expect(parseSysfsListing(['cni0  eth0  lo'], 1, { brif: false }).items.map((f) => f.kind === 'device' && f.name)).toEqual(['cni0', 'eth0', 'lo']);
    const long = parseSysfsListing(['lrwxrwxrwx 1 root root 0 Nov 23 11:18 eth0 -> ../../devices/pci0000:00/0000:00:03.0/net/eth0'], 1, { brif: false });
    expect(long.items).toEqual([{ kind: 'device', name: 'eth0', virtual: false }]);
  });
});

describe('sysfs parsers on arbitrary lines', () => {
  it('never throw', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { maxLength: 20 }), fc.integer({ min: 1, max: 1000 }), (lines, first) => {
        parseSysfsListing(lines, first, { ifname: 'x', brif: false });
        parseSysfsGrepList(lines, first, 'ifindex');
        parseSysfsGrepValues(lines, first, 'iflink');
        parseSysfsNumber(lines, first, 'iflink');
      }),
      { numRuns: 200 },
    );
  });
});
