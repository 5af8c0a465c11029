import { describe, expect, it } from 'vitest';
import type { Link, NetnsSnapshot } from '../lib/snapshot/schema';
import { podNetnsIdsNeeded } from './collect';

const veth = (ifindex: number, name: string, peer: Link['peer']): Link => ({ ifindex, name, kind: 'veth', ...(peer ? { peer } : {}) });

const host: NetnsSnapshot = {
  name: 'host',
  kind: 'host',
  links: [veth(7, 'veth-a', { ifindex: 2, netnsId: 0 }), veth(8, 'veth-b', { ifindex: 2, netnsId: 1 })],
  netnsIds: [
    { nsid: 0, name: 'cni-a' },
    { nsid: 1, name: 'cni-b' },
  ],
};
const pod = (name: string, links: Link[]) => ({ name, netns: { name, kind: 'pod' as const, links } });

describe('which pod netns need their own netns list-id', () => {
  it('none when every pod veth is the peer the host side names by list-id and link_index', () => {
    expect(podNetnsIdsNeeded(host, [pod('cni-a', [veth(2, 'eth0', { ifindex: 7, netnsId: 0 })]), pod('cni-b', [veth(2, 'eth0', { ifindex: 8, netnsId: 0 })])])).toEqual([]);
  });

  it('a pod with a veth no host veth accounts for (a veth between two pods)', () => {
    const pods = [
      pod('cni-a', [veth(2, 'eth0', { ifindex: 7, netnsId: 0 }), veth(3, 'x0', { ifindex: 3, netnsId: 1 })]),
      pod('cni-b', [veth(2, 'eth0', { ifindex: 8, netnsId: 0 })]),
      pod('cni-c', [veth(2, 'eth0', { ifindex: 9, netnsId: 0 })]),
    ];
    expect(podNetnsIdsNeeded(host, pods)).toEqual([0, 2]);
  });

  it('every pod with a link into another netns when the host has no list-id (it failed, or names nothing)', () => {
    const bare: NetnsSnapshot = { ...host, netnsIds: [{ nsid: 0 }, { nsid: 1 }] };
    expect(podNetnsIdsNeeded(bare, [pod('cni-a', [veth(2, 'eth0', { ifindex: 7, netnsId: 0 })]), pod('cni-b', [{ ifindex: 1, name: 'lo' }])])).toEqual([0]);
    expect(podNetnsIdsNeeded(undefined, [pod('cni-a', [veth(2, 'eth0', { ifindex: 7, netnsId: 0 })])])).toEqual([0]);
  });

  it('not a pod that already read its ids (docker netns files batch them)', () => {
    const p = pod('abc123', [veth(2, 'eth0', { ifindex: 7, netnsId: 0 })]);
    expect(podNetnsIdsNeeded(host, [{ ...p, netns: { ...p.netns, netnsIds: [{ nsid: 0 }] } }])).toEqual([]);
  });
});
