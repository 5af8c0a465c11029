import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseSysctlKey, parseProcSysValue, parseSysctl } from './sysctl';

describe('sysctl parsers', () => {
  it('reads key = value lines and -n values in key order', () => {
    expect(parseSysctl(['net.ipv4.ip_forward = 1', 'sysctl: cannot stat /proc/sys/x'], 1).items).toEqual([{ key: 'net.ipv4.ip_forward', value: '1' }]);
    expect(parseSysctl(['1', '0'], 1, { keys: ['net.ipv4.ip_forward', 'net.ipv4.conf.all.rp_filter'], valuesOnly: true }).items).toEqual([
      { key: 'net.ipv4.ip_forward', value: '1' },
      { key: 'net.ipv4.conf.all.rp_filter', value: '0' },
    ]);
  });

  it('gives interface names with dots their real name: sysctl prints flannel.1 as flannel/1', () => {
    const out = parseSysctl(['net.ipv4.conf.flannel/1.rp_filter = 2', 'net.ipv4.conf.eth0.rp_filter = 1', 'net.ipv6.conf.vlan/100.forwarding = 0'], 1);
    expect(out.items).toEqual([
      { key: 'net.ipv4.conf.flannel.1.rp_filter', value: '2' },
      { key: 'net.ipv4.conf.eth0.rp_filter', value: '1' },
      { key: 'net.ipv6.conf.vlan.100.forwarding', value: '0' },
    ]);
    // `sysctl -n` with the key as typed, in either of sysctl's two spellings.
    expect(parseSysctl(['2', '2'], 1, { keys: ['net.ipv4.conf.flannel/1.rp_filter', 'net/ipv4/conf/flannel.1/rp_filter'], valuesOnly: true }).items).toEqual([
      { key: 'net.ipv4.conf.flannel.1.rp_filter', value: '2' },
      { key: 'net.ipv4.conf.flannel.1.rp_filter', value: '2' },
    ]);
  });

  it('leaves keys without a slash as they are', () => {
    expect(normaliseSysctlKey('net.ipv4.conf.all.rp_filter')).toBe('net.ipv4.conf.all.rp_filter');
    expect(normaliseSysctlKey('net.ipv4.ip_forward')).toBe('net.ipv4.ip_forward');
  });

  it('reads one value from /proc/sys', () => {
    expect(parseProcSysValue(['1'], 5, 'net.ipv4.ip_forward').items).toEqual([{ key: 'net.ipv4.ip_forward', value: '1' }]);
  });
});

describe('sysctl parsers on arbitrary lines', () => {
  it('never throw', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { maxLength: 20 }), fc.integer({ min: 1, max: 1000 }), (lines, first) => {
        parseSysctl(lines, first);
        parseProcSysValue(lines, first, 'net.ipv4.ip_forward');
      }),
      { numRuns: 200 },
    );
  });
});
