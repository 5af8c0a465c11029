import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../lib/snapshot/schema';
import { diffSnapshots } from './diff';

const node1 = (): Snapshot =>
  JSON.parse(readFileSync(path.join(__dirname, '..', 'e2e', 'lab', 'captures', 'flannel-vxlan', 'node1.json'), 'utf8')) as Snapshot;
const host = (s: Snapshot) => s.namespaces.find((n) => n.name === 'host')!;

describe('diffSnapshots', () => {
  it('finds nothing between a snapshot and itself', () => {
    expect(diffSnapshots(node1(), node1())).toEqual([]);
  });

  it('reports a changed gateway as one changed route keyed by destination and table', () => {
    const after = node1();
    const r = host(after).routes!.find((x) => x.dst === '10.244.2.0/24' && x.table === 'main')!;
    r.gateway = '10.244.2.9';
    expect(diffSnapshots(node1(), after)).toEqual([
      {
        netns: 'host',
        section: 'routes',
        change: 'changed',
        key: '10.244.2.0/24 table main',
        before: expect.stringContaining('via 10.244.2.0') as string,
        after: expect.stringContaining('via 10.244.2.9') as string,
      },
    ]);
  });

  it('sees an interface going down, a neighbour MAC change and an FDB entry disappearing', () => {
    const after = node1();
    const h = host(after);
    h.links!.find((l) => l.name === 'cni0')!.operState = 'DOWN';
    const neigh = h.neighbours!.find((n) => n.dev === 'flannel.1')!;
    neigh.lladdr = 'aa:aa:aa:aa:aa:aa';
    const gone = h.fdb!.find((f) => f.dev === 'flannel.1')!;
    h.fdb = h.fdb!.filter((f) => f !== gone);
    const changes = diffSnapshots(node1(), after);
    expect(changes.map((c) => `${c.section} ${c.change} ${c.key}`)).toEqual([
      'interfaces changed cni0',
      `neighbours changed ${neigh.dst} dev flannel.1`,
      `fdb removed ${gone.mac} dev flannel.1`,
    ]);
  });

  it('lists every item of a pod namespace that appeared as added, host first', () => {
    const before = node1();
    before.namespaces = before.namespaces.filter((n) => n.kind === 'host');
    const changes = diffSnapshots(before, node1());
    expect(changes.length).toBeGreaterThan(4);
    expect(changes.every((c) => c.change === 'added' && c.netns !== 'host')).toBe(true);
    expect(changes.some((c) => c.section === 'addresses' && c.key.startsWith('10.244.1.2/24 dev eth0'))).toBe(true);
  });
});
