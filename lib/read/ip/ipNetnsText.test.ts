import { describe, it, expect } from 'vitest';
import { parseIpNetnsListIdText, parseIpNetnsListText } from './ipNetnsText';
import { fixtureLines } from './fixtures/load';

describe('parseIpNetnsListText', () => {
  it('reads names with and without ids', () => {
    const r = parseIpNetnsListText(['cni-1234-abcd (id: 3)', 'cni-5678', 'e1test-pod (id: 0)'], 1);
    expect(r.items).toEqual([{ name: 'cni-1234-abcd', nsid: 3 }, { name: 'cni-5678' }, { name: 'e1test-pod', nsid: 0 }]);
  });

  it('reads the kernel lab listing', () => {
    expect(parseIpNetnsListText(fixtureLines('lab/ip-netns-list.txt'), 1).items.map((x) => x.name)).toEqual(['e1test-host', 'e1test-pod2', 'e1test-pod']);
  });

  it('skips lines that are not a namespace name', () => {
    const r = parseIpNetnsListText(['Error: Peer netns reference is invalid.', '..'], 4);
    expect(r.items).toEqual([]);
    expect(r.skipped.map((s) => s.startLine)).toEqual([4, 5]);
  });
});

describe('parseIpNetnsListIdText', () => {
  it('reads nsid lines from the kernel lab, host and pod side', () => {
    expect(parseIpNetnsListIdText(fixtureLines('lab/host-ip-netns-list-id.txt'), 1).items).toEqual([
      { nsid: 0, name: 'e1test-pod' },
      { nsid: 1, name: 'e1test-pod2' },
    ]);
    expect(parseIpNetnsListIdText(fixtureLines('lab/pod-ip-netns-list-id.txt'), 1).items).toEqual([{ nsid: 0, name: 'e1test-host' }]);
  });

  it('reads unnamed ids and current-nsid', () => {
    const r = parseIpNetnsListIdText(['nsid 4 ', 'nsid 0 current-nsid 5 (iproute2 netns name: cni-a1b2)'], 1);
    expect(r.items).toEqual([{ nsid: 4 }, { nsid: 0, currentNsid: 5, name: 'cni-a1b2' }]);
  });

  it('skips other lines', () => {
    const r = parseIpNetnsListIdText(['nsid x', 'hello'], 1);
    expect(r.items).toEqual([]);
    expect(r.skipped).toHaveLength(2);
  });
});
