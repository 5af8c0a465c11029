import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalIp, ipFamily, isIp, parsePrefix, prefixContains } from './ip';

describe('ip math', () => {
  it('tells IPv4 from IPv6 and rejects junk', () => {
    expect(ipFamily('10.244.1.2')).toBe(4);
    expect(ipFamily('fe80::1%eth0')).toBe(6);
    expect(ipFamily('10.244.1')).toBeNull();
    expect(ipFamily('10.244.1.256')).toBeNull();
    expect(isIp('eth0')).toBe(false);
  });

  it('canonicalises addresses as iproute2 prints them', () => {
    expect(canonicalIp('010.1.2.3')).toBe('10.1.2.3');
    expect(canonicalIp('fd00:0:0::1')).toBe('fd00::1');
    expect(canonicalIp('not-an-ip')).toBe('not-an-ip');
  });

  it('clears host bits of a prefix as the kernel stores routes', () => {
    expect(parsePrefix('10.244.1.7/24')?.network).toBe('10.244.1.0');
    expect(parsePrefix('default')?.length).toBe(0);
    expect(parsePrefix('default', 6)?.network).toBe('::');
    expect(parsePrefix('10.0.0.0/33')).toBeNull();
  });

  it('agrees with a bit-by-bit reference on IPv4 containment', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 }), (a, b, len) => {
        const ip = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
        const p = parsePrefix(`${ip(a)}/${len}`)!;
        const expected = len === 0 || a >>> (32 - len) === b >>> (32 - len);
        expect(prefixContains(p, ip(b))).toBe(expected);
      }),
    );
  });
});

describe('ipv4ToNumber', () => {
  it('round-trips every generated address and rejects near misses', async () => {
    const { ipv4ToNumber, numberToIpv4 } = await import('./ip');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n) => {
        expect(ipv4ToNumber(numberToIpv4(n))).toBe(n);
      }),
    );
    for (const bad of ['1.2.3', '1.2.3.4.5', '1..2.3', '256.1.1.1', '1.2.3.', '.1.2.3', '1.2.3.4 ', 'a.b.c.d', '1.2.3.1000']) {
      expect(ipv4ToNumber(bad)).toBeNull();
    }
  });
});

describe('ipv4PrefixCode', () => {
  it('agrees with parsePrefix on generated prefixes (before masking)', async () => {
    const { ipv4PrefixCode, numberToIpv4, ipv4Mask } = await import('./ip');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.option(fc.integer({ min: 0, max: 32 })), (n, len) => {
        const text = len === null ? numberToIpv4(n) : `${numberToIpv4(n)}/${len}`;
        const code = ipv4PrefixCode(text, true);
        const length = code % 64;
        expect(length).toBe(len ?? 32);
        expect((((code - length) / 64) & ipv4Mask(length)) >>> 0).toBe(parsePrefix(text)!.value);
      }),
    );
  });

  it('refuses leading zeros only when asked for canonical text', async () => {
    const { ipv4PrefixCode } = await import('./ip');
    expect(ipv4PrefixCode('10.0.0.01/24')).toBeGreaterThan(0);
    expect(ipv4PrefixCode('10.0.0.01/24', true)).toBe(-1);
    expect(ipv4PrefixCode('10.0.0.0/08', true)).toBe(-1);
    for (const bad of ['10.0.0.0/', '10.0.0.0/33', '10.0.0.0/123', '10.0.0/8', 'x.0.0.0/8']) expect(ipv4PrefixCode(bad)).toBe(-1);
  });
});
