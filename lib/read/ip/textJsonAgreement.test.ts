/**
 * The text and `-j` JSON forms of the same command, captured from the same
 * kernel lab namespace, must read to the same snapshot items: a transcript
 * and a collector run must not disagree about one node.
 */
import { describe, it, expect } from 'vitest';
import type { Link } from '../../snapshot/schema';
import * as ip from './index';
import { fixtureJson, fixtureLines } from './fixtures/load';

/** Text prints `link-netns NAME` where JSON prints the numeric id; everything else must match. */
function withoutPeerNetns(l: Link): Link {
  if (l.peer === undefined) return l;
  const { netnsId: _id, netnsName: _name, ...rest } = l.peer;
  return { ...l, peer: rest };
}

describe('text and JSON readers agree on the same kernel state', () => {
  it('ip -d addr', () => {
    const text = ip.parseIpLinkText(fixtureLines('lab/host-ip-d-addr.txt'), 1);
    const json = ip.readIpAddrJson(fixtureJson('lab/host-json-d-addr.json'));
    expect(text.skipped).toEqual([]);
    const norm = (items: ip.LinkWithAddresses[]) => items.map((i) => ({ link: withoutPeerNetns(i.link), addresses: i.addresses }));
    expect(norm(text.items)).toEqual(norm(json.items));
  });

  it('a veth whose peer is in an unnamed netns: link-netnsid in text, link_netnsid in JSON', () => {
    for (const [text, json] of [
      ['lab/host-ip-link-unnamed-peer.txt', 'lab/host-json-link-unnamed-peer.json'],
      ['lab/host-ip-d-link-unnamed-peer.txt', 'lab/host-json-link-unnamed-peer.json'],
    ] as const) {
      const t = ip.parseIpLinkText(fixtureLines(text), 1);
      expect(t.skipped).toEqual([]);
      expect(t.items[0]?.link.peer).toEqual({ ifindex: 2, netnsId: 2 });
      expect(t.items[0]?.link.peer).toEqual(ip.readIpLinkJson(fixtureJson(json)).items[0]?.peer);
      expect(t.items[0]?.link.operState).toBe('DOWN');
    }
  });

  it('ip addr (pod side)', () => {
    const text = ip.parseIpLinkText(fixtureLines('lab/pod-ip-addr.txt'), 1);
    const json = ip.readIpAddrJson(fixtureJson('lab/pod-json-addr.json'));
    const norm = (items: ip.LinkWithAddresses[]) => items.map((i) => ({ link: withoutPeerNetns(i.link), addresses: i.addresses }));
    expect(norm(text.items)).toEqual(norm(json.items));
  });

  it('ip route show table all, IPv4 and IPv6', () => {
    expect(ip.parseIpRouteText(fixtureLines('lab/host-ip-route-table-all.txt'), 1).items).toEqual(
      ip.readIpRouteJson(fixtureJson('lab/host-json-route-table-all.json')).items,
    );
    expect(ip.parseIpRouteText(fixtureLines('lab/host-ip6-route-table-all.txt'), 1, { family: 6 }).items).toEqual(
      ip.readIpRouteJson(fixtureJson('lab/host-json6-route-table-all.json'), { family: 6 }).items,
    );
  });

  it('ip route show of one table, IPv6 multipath and unreachable, mtu lock', () => {
    expect(ip.parseIpRouteText(fixtureLines('lab/host-ip-route-table-200.txt'), 1, { table: '200' }).items).toEqual(
      ip.readIpRouteJson(fixtureJson('lab/host-json-route-table-200.json'), { table: '200' }).items,
    );
    const v6 = ip.parseIpRouteText(fixtureLines('lab/host-ip6-route-main.txt'), 1, { family: 6 });
    expect(v6.skipped).toEqual([]);
    expect(v6.items).toEqual(ip.readIpRouteJson(fixtureJson('lab/host-json6-route-main.json'), { family: 6 }).items);
    expect(v6.items[0]).toEqual({ family: 6, table: 'main', type: 'unreachable', dst: '2001:db8::/32', dev: 'lo', metric: 1024 });
    expect(v6.items[1]?.nexthops).toEqual([
      { gateway: 'fd00::2', dev: 'ens3', weight: 1 },
      { gateway: 'fd00::3', dev: 'ens3', weight: 1 },
    ]);
    const lock = ip.parseIpRouteText(fixtureLines('lab/host-ip-route-mtu-lock.txt'), 1).items;
    expect(lock).toEqual(ip.readIpRouteJson(fixtureJson('lab/host-json-route-mtu-lock.json')).items);
    expect(lock[0]?.mtu).toBe(1400);
  });

  it('ip rule, IPv4 and IPv6', () => {
    expect(ip.parseIpRuleText(fixtureLines('lab/host-ip-rule.txt'), 1).items).toEqual(ip.readIpRuleJson(fixtureJson('lab/host-json-rule.json')).items);
    expect(ip.parseIpRuleText(fixtureLines('lab/host-ip6-rule.txt'), 1, { family: 6 }).items).toEqual(
      ip.readIpRuleJson(fixtureJson('lab/host-json6-rule.json'), { family: 6 }).items,
    );
  });

  it('ip neigh', () => {
    expect(ip.parseIpNeighText(fixtureLines('lab/host-ip-neigh.txt'), 1).items).toEqual(ip.readIpNeighJson(fixtureJson('lab/host-json-neigh.json')).items);
  });

  it('bridge fdb', () => {
    expect(ip.parseBridgeFdbText(fixtureLines('lab/host-bridge-fdb.txt'), 1).items).toEqual(
      ip.readBridgeFdbJson(fixtureJson('lab/host-json-bridge-fdb.json')).items,
    );
  });

  it('ip netns list-id', () => {
    expect(ip.parseIpNetnsListIdText(fixtureLines('lab/host-ip-netns-list-id.txt'), 1).items).toEqual(
      ip.readNetnsListIdJson(fixtureJson('lab/host-json-netns-list-id.json')).items,
    );
  });
});
