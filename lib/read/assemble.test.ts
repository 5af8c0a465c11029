import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../snapshot/schema';
import {
  addAddresses,
  addPods,
  addRoutes,
  assemble,
  enforceSchema,
  markSection,
  mergeLink,
  netnsEvidence,
  newNodeEvidence,
} from './assemble';
import type { ReadWarning } from './types';

describe('mergeLink', () => {
  it('enriches one link from ip addr then ip -d link, merging the veth peer field by field', () => {
    const node = newNodeEvidence();
    const ns = netnsEvidence(node, 'host', { kind: 'host' });
    mergeLink(ns, { name: 'veth1', ifindex: 6, kind: 'veth', peer: { ifindex: 3 } });
    mergeLink(ns, { name: 'veth1', master: 'cni0', peer: { netnsId: 0 } });
    mergeLink(ns, { name: 'flannel.1', kind: 'vxlan', vxlan: { id: 1 } });
    // A later plain listing guesses veth from @ifN; it must not override a -d kind.
    mergeLink(ns, { name: 'flannel.1', kind: 'veth', mtu: 1450 });
    expect([...ns.links.values()]).toEqual([
      { name: 'veth1', ifindex: 6, kind: 'veth', master: 'cni0', peer: { ifindex: 3, netnsId: 0 } },
      { name: 'flannel.1', kind: 'vxlan', vxlan: { id: 1 }, mtu: 1450 },
    ]);
  });
});

describe('assemble', () => {
  it('emits only observed sections and lists incomplete ones as filtered', () => {
    const node = newNodeEvidence();
    const ns = netnsEvidence(node, 'host', { kind: 'host' });
    markSection(ns, 'routes', false);
    addRoutes(ns, [{ family: 4, table: 'main', type: 'unicast', dst: '0.0.0.0/0', gateway: '10.0.0.1', dev: 'eth0' }]);
    markSection(ns, 'addresses', true);
    markSection(ns, 'links', true);
    const { snapshots } = assemble([node], { nodeName: 'n1' });
    const host = snapshots[0]?.namespaces[0];
    expect(host).toEqual({
      name: 'host',
      kind: 'host',
      links: [],
      addresses: [],
      routes: [{ family: 4, table: 'main', type: 'unicast', dst: '0.0.0.0/0', gateway: '10.0.0.1', dev: 'eth0' }],
      filtered: ['routes'],
    });
  });

  it('drops an iflink equal to the device own ifindex: a NIC is not its own peer', () => {
    const node = newNodeEvidence();
    const ns = netnsEvidence(node, 'host', { kind: 'host' });
    markSection(ns, 'links', false);
    mergeLink(ns, { name: 'eth0', ifindex: 2 });
    mergeLink(ns, { name: 'eth0', peer: { ifindex: 2 } });
    expect(assemble([node]).snapshots[0]?.namespaces[0]?.links).toEqual([{ name: 'eth0', ifindex: 2 }]);
  });

  it('takes node addresses from the default-route device and kernel route sources', () => {
    const node = newNodeEvidence();
    const ns = netnsEvidence(node, 'host', { kind: 'host' });
    markSection(ns, 'routes', true);
    markSection(ns, 'addresses', true);
    addRoutes(ns, [
      { family: 4, table: 'main', type: 'unicast', dst: '0.0.0.0/0', gateway: '10.0.0.1', dev: 'ens3' },
      { family: 4, table: 'main', type: 'unicast', dst: '10.0.0.0/24', dev: 'ens3', protocol: 'kernel', prefsrc: '10.0.0.5' },
      { family: 4, table: 'main', type: 'unicast', dst: '10.244.0.0/24', dev: 'cni0', protocol: 'kernel', prefsrc: '10.244.0.1' },
    ]);
    addAddresses(ns, [
      { ifname: 'ens3', family: 4, local: '10.0.0.5', prefixlen: 24, scope: 'global' },
      { ifname: 'ens3', family: 6, local: 'fe80::1', prefixlen: 64, scope: 'link' },
    ]);
    expect(assemble([node]).snapshots[0]?.node).toEqual({ name: 'node', addresses: ['10.0.0.5'] });
  });

  it('picks the node name: option, captured pod node, single prompt host, described node, file name', () => {
    const node = newNodeEvidence();
    netnsEvidence(node, 'host', { kind: 'host' });
    node.describedNodes.add('described');
    expect(assemble([node], { fileName: 'dir/capture.txt' }).snapshots[0]?.node.name).toBe('described');
    node.promptHosts.add('vms71');
    expect(assemble([node]).snapshots[0]?.node.name).toBe('vms71');
    addPods(node, [{ namespace: 'dev', name: 'p1', node: 'worker-1' }]);
    node.capturedPods.push({ namespace: 'dev', name: 'p1' });
    expect(assemble([node]).snapshots[0]?.node.name).toBe('worker-1');
    expect(assemble([node], { nodeName: 'given' }).snapshots[0]?.node.name).toBe('given');
    const bare = newNodeEvidence();
    expect(assemble([bare], { fileName: 'dir/capture.txt' }).snapshots[0]?.node.name).toBe('capture');
    expect(assemble([newNodeEvidence()]).snapshots[0]?.node.name).toBe('node');
  });

  it('upgrades a named netns to a pod netns by pod IP', () => {
    const node = newNodeEvidence();
    const ns = netnsEvidence(node, 'cni-1', { kind: 'other', source: 'ip netns exec' });
    markSection(ns, 'addresses', true);
    addAddresses(ns, [{ ifname: 'eth0', family: 4, local: '10.244.1.5', prefixlen: 24 }]);
    addPods(node, [{ namespace: 'web', name: 'app', ip: '10.244.1.5' }]);
    const s = assemble([node]).snapshots[0];
    expect(s?.namespaces[0]).toMatchObject({ name: 'cni-1', kind: 'pod', pod: { namespace: 'web', name: 'app' } });
  });
});

describe('enforceSchema', () => {
  it('drops exactly the items the schema rejects and says so', () => {
    const warnings: ReadWarning[] = [];
    const snap = {
      apiVersion: 'podnet.dev/v1',
      kind: 'NodeSnapshot',
      node: { name: 'n' },
      collector: { name: 'transcript' },
      collectedAt: 'yesterday',
      namespaces: [
        {
          name: 'host',
          kind: 'host',
          routes: [
            { family: 4, table: 'main', type: 'unicast', dst: '10.0.0.0/8' },
            { family: 4, table: 'main', type: 'unicast', dst: 'bad prefix' },
          ],
        },
      ],
    } as unknown as Snapshot;
    const out = enforceSchema(snap, warnings);
    expect(out?.namespaces[0]?.routes).toEqual([{ family: 4, table: 'main', type: 'unicast', dst: '10.0.0.0/8' }]);
    expect(out?.collectedAt).toBeUndefined();
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringContaining('collectedAt'),
      expect.stringContaining('namespaces[0].routes[1]'),
    ]);
  });
});
