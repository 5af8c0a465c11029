import { describe, expect, it } from 'vitest';
import { NetnsWatch } from './watch';

describe('NetnsWatch', () => {
  it.each([0, -1, 1.5, Number.NaN])('refuses fullEvery %s: without full reads nothing would be swept', (fullEvery) => {
    expect(() => new NetnsWatch({ kind: 'current' }, { fullEvery })).toThrow(RangeError);
  });

  it('reports a monitor that cannot start once, not at every retry, and reads everything meanwhile', async () => {
    // fullEvery 1: a start is tried again at every collection.
    const w = new NetnsWatch({ kind: 'current' }, { fullEvery: 1, command: { file: 'sh', args: ['-c', 'echo refused >&2; exit 1'] } });
    try {
      const takes = [];
      for (let i = 0; i < 3; i++) takes.push(await w.take());
      expect(takes.map((t) => t.all)).toEqual([true, true, true]);
      expect(takes.map((t) => t.ready)).toEqual([false, false, false]);
      expect(takes[0]?.problem).toMatch(/^`sh -c echo refused >&2; exit 1` stopped: refused; reading every netns/);
      expect(takes.slice(1).map((t) => t.problem)).toEqual([undefined, undefined]);
      expect(w.pid).toBeUndefined();
    } finally {
      w.stop();
    }
  });
});
