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
