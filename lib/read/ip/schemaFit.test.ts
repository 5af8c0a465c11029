/**
 * Parser output is the raw material of snapshots: prove it fits format v1 by
 * building whole snapshots from it and running the real validator.
 */
import { describe, it, expect } from 'vitest';
import { SNAPSHOT_API_VERSION, type NetnsSnapshot, type Snapshot } from '../../snapshot/schema';
import { validateSnapshot } from '../../snapshot/validate';
import * as ip from './index';
import { fixtureJson, fixtureLines, fixtureSlice } from './fixtures/load';

function snapshot(namespaces: NetnsSnapshot[]): Snapshot {
  return {
    apiVersion: SNAPSHOT_API_VERSION,
    kind: 'NodeSnapshot',
    node: { name: 'e1test-node' },
    collector: { name: 'ip-json' },
    namespaces,
  };
}

describe('parser output fits snapshot format v1', () => {
  it('a host netns built from the text parsers validates', () => {
    const linkOut = ip.parseIpLinkText(fixtureLines('lab/host-ip-d-addr.txt'), 1);
    const host: NetnsSnapshot = {
      name: 'host',
      kind: 'host',
      links: linkOut.items.map((i) => i.link),
      addresses: linkOut.items.flatMap((i) => i.addresses),
      routes: [
        ...ip.parseIpRouteText(fixtureLines('lab/host-ip-route-table-all.txt'), 1).items,
        ...ip.parseRouteNText(fixtureLines('lab/host-route-n.txt'), 1).items,
      ],
      rules: ip.parseIpRuleText(fixtureLines('lab/host-ip-rule.txt'), 1).items,
      neighbours: ip.parseIpNeighText(fixtureLines('lab/host-ip-neigh.txt'), 1).items,
      fdb: ip.parseBridgeFdbText(fixtureLines('lab/host-bridge-fdb.txt'), 1).items,
      netnsIds: ip.parseIpNetnsListIdText(fixtureLines('lab/host-ip-netns-list-id.txt'), 1).items,
    };
    const v = validateSnapshot(JSON.parse(JSON.stringify(snapshot([host]))));
    expect(v.ok ? [] : v.issues).toEqual([]);
    expect(host.links).toHaveLength(8);
    expect(host.routes?.length).toBeGreaterThan(50);
  });

  it('a host and a pod netns built from the JSON readers validate', () => {
    const hostAddr = ip.readIpAddrJson(fixtureJson('lab/host-json-d-addr.json'));
    const podAddr = ip.readIpAddrJson(fixtureJson('lab/pod-json-addr.json'));
    const host: NetnsSnapshot = {
      name: 'host',
      kind: 'host',
      links: ip.readIpLinkJson(fixtureJson('lab/host-json-d-link.json')).items,
      addresses: hostAddr.items.flatMap((i) => i.addresses),
      routes: ip.readIpRouteJson(fixtureJson('lab/host-json-route-table-all.json')).items,
      rules: ip.readIpRuleJson(fixtureJson('lab/host-json-rule.json')).items,
      neighbours: ip.readIpNeighJson(fixtureJson('lab/host-json-neigh.json')).items,
      fdb: ip.readBridgeFdbJson(fixtureJson('lab/host-json-bridge-fdb.json')).items,
      netnsIds: ip.readNetnsListIdJson(fixtureJson('lab/host-json-netns-list-id.json')).items,
    };
    const pod: NetnsSnapshot = {
      name: 'e1test-pod',
      kind: 'pod',
      links: ip.readIpLinkJson(fixtureJson('lab/pod-json-d-link.json')).items,
      addresses: podAddr.items.flatMap((i) => i.addresses),
      netnsIds: ip.readNetnsListIdJson(fixtureJson('lab/pod-json-netns-list-id.json')).items,
    };
    const v = validateSnapshot(JSON.parse(JSON.stringify(snapshot([host, pod]))));
    expect(v.ok ? [] : v.issues).toEqual([]);
  });

  it('the pasted capture reads into a valid pod and host namespace', () => {
    const podLinks = ip.parseIpLinkText(...fixtureSlice('captures/cni0-host-routes-single-node.txt', 5, 8));
    const podRoutes = ip.parseIpRouteText(...fixtureSlice('captures/cni0-host-routes-single-node.txt', 30, 32));
    const hostLinks = ip.parseIpLinkText(...fixtureSlice('captures/cni0-host-routes-single-node.txt', 14, 15));
    const cni0 = ip.parseIpLinkText(...fixtureSlice('captures/cni0-host-routes-single-node.txt', 37, 42));
    const hostRoutes = ip.parseIpRouteText(...fixtureSlice('captures/cni0-host-routes-single-node.txt', 44, 47));
    const snap = snapshot([
      {
        name: 'host',
        kind: 'host',
        links: [...hostLinks.items, ...cni0.items].map((i) => i.link),
        addresses: cni0.items.flatMap((i) => i.addresses),
        routes: hostRoutes.items,
        filtered: ['routes'],
      },
      {
        name: 'dev/signin-test-a-8bcd5db69-9z2c5',
        kind: 'pod',
        pod: { namespace: 'dev', name: 'signin-test-a-8bcd5db69-9z2c5' },
        links: podLinks.items.map((i) => i.link),
        routes: podRoutes.items,
      },
    ]);
    const v = validateSnapshot(JSON.parse(JSON.stringify(snap)));
    expect(v.ok ? [] : v.issues).toEqual([]);
  });
});
