import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBrctlShow } from './brctl';

describe('parseBrctlShow', () => {
  it('reads bridges with ports on continuation lines, tabs or not', () => {
    const out = parseBrctlShow(
      [
        'bridge name\tbridge id\t\tSTP enabled\tinterfaces',
        'cni0\t\t8000.3e4cce396e97\tno\t\tveth3a9c41f2',
        '\t\t\t\t\t\t\tveth9f0e7c21',
        'veth11111111',
        'docker0\t\t8000.0242ac110001\tyes',
      ],
      10,
    );
    expect(out.items).toEqual([
      { name: 'cni0', bridgeId: '8000.3e4cce396e97', stp: false, interfaces: ['veth3a9c41f2', 'veth9f0e7c21', 'veth11111111'] },
      { name: 'docker0', bridgeId: '8000.0242ac110001', stp: true, interfaces: [] },
    ]);
    expect(out.skipped).toEqual([]);
  });

  it('skips lines that are not rows, with their line number', () => {
    const out = parseBrctlShow(['some words here'], 7);
    expect(out.skipped[0]).toMatchObject({ startLine: 7, endLine: 7 });
  });
});

describe('brctl parsers on arbitrary lines', () => {
  it('never throw', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { maxLength: 20 }), fc.integer({ min: 1, max: 1000 }), (lines, first) => {
        parseBrctlShow(lines, first);
      }),
      { numRuns: 200 },
    );
  });
});
