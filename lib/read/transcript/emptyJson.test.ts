import { describe, expect, it } from 'vitest';
import { readEvidence } from '../readEvidence';

describe('empty JSON tables in transcripts', () => {
  it('reads `ip -j neigh` printing [] as an observed, empty neighbour table', () => {
    const r = readEvidence(['root@node1:~# ip -j neigh show', '[]', 'root@node1:~# ip -j route show', '[]'].join('\n'), {});
    expect(r.skipped).toEqual([]);
    const host = r.snapshots[0]?.namespaces.find((n) => n.kind === 'host');
    expect(host?.neighbours).toEqual([]);
    expect(host?.routes).toEqual([]);
  });
});
