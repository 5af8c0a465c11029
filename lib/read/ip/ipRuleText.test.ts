import { describe, it, expect } from 'vitest';
import { parseIpRuleText } from './ipRuleText';
import { fixtureLines } from './fixtures/load';

describe('parseIpRuleText', () => {
  it('reads the kernel lab rules: lookup, not + fwmark, iif [detached] unreachable, goto, nop, blackhole, oif', () => {
    const r = parseIpRuleText(fixtureLines('lab/host-ip-rule.txt'), 1);
    expect(r.skipped).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.items).toEqual([
      { family: 4, priority: 0, src: 'all', action: 'lookup', table: 'local' },
      { family: 4, priority: 99, src: 'all', dst: '10.96.0.0/12', action: 'lookup', table: '5' },
      { family: 4, priority: 100, src: '10.0.0.0/24', action: 'lookup', table: '200' },
      { family: 4, priority: 101, src: 'all', not: true, fwmark: '0x1/0x1', action: 'lookup', table: '100' },
      { family: 4, priority: 200, src: 'all', iif: 'eth1', action: 'unreachable' },
      { family: 4, priority: 300, src: '10.1.0.0/16', action: 'goto', goto: 32766 },
      { family: 4, priority: 301, src: '10.2.0.0/16', action: 'nop' },
      { family: 4, priority: 302, src: '10.3.0.5/32', action: 'blackhole' },
      { family: 4, priority: 303, src: 'all', oif: 'eth9', action: 'lookup', table: '12' },
      { family: 4, priority: 32766, src: 'all', action: 'lookup', table: 'main' },
      { family: 4, priority: 32767, src: 'all', action: 'lookup', table: 'default' },
    ]);
  });

  it('reads ip -6 rule with the family from opts', () => {
    const r = parseIpRuleText(fixtureLines('lab/host-ip6-rule.txt'), 1, { family: 6 });
    expect(r.items).toEqual([
      { family: 6, priority: 0, src: 'all', action: 'lookup', table: 'local' },
      { family: 6, priority: 32766, src: 'all', action: 'lookup', table: 'main' },
    ]);
  });

  it('reads a rule whose priority was cut off, ordering it after the previous rule with a warning', () => {
    const r = parseIpRuleText(['0:\tfrom all lookup local', 'from all to 10.96.0.0/12 lookup 5', '32766:\tfrom all lookup main'], 1);
    expect(r.items.map((x) => [x.priority, x.table])).toEqual([
      [0, 'local'],
      [0, '5'],
      [32766, 'main'],
    ]);
    expect(r.items[1]?.dst).toBe('10.96.0.0/12');
    expect(r.warnings).toEqual([{ line: 2, message: 'rule without a priority; assumed 0 (ordered after the rule before it)' }]);
  });

  it('reads rules whose tab became spaces or vanished, and IPv6 selectors', () => {
    const r = parseIpRuleText(['100:   from 10.0.0.0/24 lookup 200', '101:from fd00::/64 lookup 7'], 1);
    expect(r.items.map((x) => [x.priority, x.src, x.family])).toEqual([
      [100, '10.0.0.0/24', 4],
      [101, 'fd00::/64', 6],
    ]);
  });

  it('skips lines that are not rules', () => {
    const r = parseIpRuleText(['RTNETLINK answers: Permission denied', '5: from all iif eth0'], 1);
    expect(r.items).toEqual([]);
    expect(r.skipped.map((s) => s.reason)).toEqual(['not an ip rule line', 'rule without an action (lookup, goto, blackhole, unreachable, prohibit, nop)']);
  });
});
