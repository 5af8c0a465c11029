import { describe, expect, it } from 'vitest';
import { parseShellLine, pipeEffect } from './shell';

describe('parseShellLine', () => {
  it('splits pipes and keeps quoted patterns whole', () => {
    const l = parseShellLine(`ip route | grep -v -E "172.1(7|8)" | head -5`);
    expect(l.stages).toEqual([['ip', 'route'], ['grep', '-v', '-E', '172.1(7|8)'], ['head', '-5']]);
    expect(l.compound).toBe(false);
    expect(pipeEffect(l.stages)).toBe('filter');
  });

  it('drops redirections of stderr and notices stdout sent to a file', () => {
    expect(parseShellLine('ip a 2>/dev/null').stages).toEqual([['ip', 'a']]);
    expect(parseShellLine('ip a 2>&1').stdoutRedirected).toBe(false);
    expect(parseShellLine('ip a > /tmp/out').stdoutRedirected).toBe(true);
  });

  it('marks && and ; chains as compound, but not a trailing ;', () => {
    expect(parseShellLine('ip a && ip r').compound).toBe(true);
    expect(parseShellLine('ip a; ip r').compound).toBe(true);
    expect(parseShellLine('ip a;').compound).toBe(false);
  });

  it('treats transforming pipes apart from filters and transparent ones', () => {
    expect(pipeEffect(parseShellLine('ip a | awk "{print $2}"').stages)).toBe('transform');
    expect(pipeEffect(parseShellLine('ip a | grep -c inet').stages)).toBe('transform');
    expect(pipeEffect(parseShellLine('ip a | cat').stages)).toBe('none');
  });

  it('lets JSON pretty-printers through whole, but not jq programs that select', () => {
    for (const line of ['ip -j route | jq', 'ip -j route | jq .', "ip -j a | jq -C '.'", 'ip -j neigh | python3 -m json.tool', 'bridge -j fdb | json_pp']) {
      expect(pipeEffect(parseShellLine(line).stages), line).toBe('none');
    }
    expect(pipeEffect(parseShellLine("ip -j route | jq '.[] | select(.dev==\"eth0\")'").stages)).toBe('transform');
  });

  it('survives an unterminated quote', () => {
    expect(parseShellLine(`grep 'abc`).unterminatedQuote).toBe(true);
  });
});
