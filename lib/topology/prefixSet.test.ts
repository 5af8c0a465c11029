import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { PrefixSet } from './prefixSet';
import { numberToIpv4, parsePrefix } from '../net/ip';

function overlapsBrute(a: string, b: string): boolean {
  const p = parsePrefix(a);
  const q = parsePrefix(b);
  if (p === null || q === null) return false;
  const len = Math.min(p.length, q.length);
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return (((p.value as number) & mask) >>> 0) === (((q.value as number) & mask) >>> 0);
}

describe('PrefixSet', () => {
  it('finds prefixes that contain, equal or lie inside a member', () => {
    const s = new PrefixSet();
    s.add('172.22.0.0/16');
    s.add('10.244.7.64/26');
    expect(s.overlaps('172.22.1.0/24')).toBe(true);
    expect(s.overlaps('172.0.0.0/8')).toBe(true);
    expect(s.overlaps('10.244.7.64/26')).toBe(true);
    expect(s.overlaps('10.244.7.0/26')).toBe(false);
    expect(s.overlaps('192.168.7.0/24')).toBe(false);
    expect(s.overlaps('0.0.0.0/0')).toBe(true);
  });

  it('agrees with a brute-force overlap check', () => {
    const prefix = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })).map(([v, l]) => `${numberToIpv4(v)}/${l}`);
    fc.assert(
      fc.property(fc.array(prefix, { maxLength: 8 }), prefix, (members, query) => {
        const s = new PrefixSet();
        for (const m of members) s.add(m);
        expect(s.overlaps(query)).toBe(members.some((m) => overlapsBrute(m, query)));
      }),
    );
  });
});
