import { describe, it, expect } from 'vitest';
import { buildTopology } from './build';
import { addr, hostNs, link, podNs, route, snapshot, veth } from './testSnapshots';
import type { Route } from '../snapshot/schema';
import type { Topology } from './types';

/**
 * A Cilium node in Geneve mode as cil-w1 (e2e/fixtures/realworld/cilium-geneve-hubble) shows it:
 * cilium_geneve stays at 1500 beside a 1500-byte ens192; the budget for the 50 bytes of Geneve
 * is kept by the MTU of the routes Cilium installs and of cilium_host and the pods' eth0.
 */
function ciliumNode(parts: { tunnel?: 'cilium_geneve' | 'cilium_vxlan'; podMtu?: number; podRouteMtu?: number; hostRouteMtu?: number; podRoutes?: boolean; hostRoutes?: boolean } = {}): Topology {
  const tunnel = parts.tunnel ?? 'cilium_geneve';
  const podMtu = parts.podMtu ?? 1450;
  const hostRoutes: Route[] = [
    route('0.0.0.0/0', { gateway: '10.11.0.1', dev: 'ens192', protocol: 'static', metric: 100 }),
    route('10.0.1.183/32', { dev: 'cilium_host', protocol: 'kernel', scope: 'link' }),
    route('10.0.2.0/24', { gateway: '10.0.1.183', dev: 'cilium_host', protocol: 'kernel', prefsrc: '10.0.1.183', ...(parts.hostRouteMtu !== undefined ? { mtu: parts.hostRouteMtu } : {}) }),
    route('10.11.0.0/24', { dev: 'ens192', protocol: 'kernel', scope: 'link', prefsrc: '10.11.0.21', metric: 100 }),
  ];
  const podRoutes: Route[] = [
    route('0.0.0.0/0', { gateway: '10.0.1.183', dev: 'eth0', ...(parts.podRouteMtu !== undefined ? { mtu: parts.podRouteMtu } : {}) }),
    route('10.0.1.183/32', { dev: 'eth0', scope: 'link' }),
  ];
  return buildTopology([
    snapshot('cil-w1', [
      hostNs({
        links: [
          link('lo', 1, { kind: 'loopback', mtu: 65536 }),
          link('ens192', 2, { kind: 'device', mtu: 1500 }),
          link('cilium_net', 4, { kind: 'veth', mtu: 1450 }),
          link('cilium_host', 5, { kind: 'veth', mtu: 1450 }),
          link(tunnel, 6, { kind: tunnel === 'cilium_geneve' ? 'geneve' : 'vxlan', mtu: 1500 }),
          veth('lxc1a2b3c4d5e6f', 15, 14, { mtu: podMtu }),
        ],
        addresses: [addr('ens192', '10.11.0.21/24'), addr('cilium_host', '10.0.1.183/32')],
        ...(parts.hostRoutes === false ? {} : { routes: hostRoutes }),
      }),
      podNs('cni-6c1e', { namespace: 'payments', name: 'ledger-6d9f7c8b5-tq4mz' }, {
        links: [link('lo', 1, { kind: 'loopback', mtu: 65536 }), veth('eth0', 14, 15, { mtu: podMtu })],
        addresses: [addr('eth0', '10.0.1.214/32')],
        ...(parts.podRoutes === false ? {} : { routes: podRoutes }),
      }),
    ]),
  ]);
}

const mtuWarnings = (t: Topology): string[] => t.warnings.map((w) => w.message).filter((m) => m.includes('MTU'));
const underlayEdge = (t: Topology) => t.edges.find((e) => e.kind === 'underlay');

describe('MTU of Cilium tunnels', () => {
  it('does not flag cilium_geneve at 1500 on a 1500-byte NIC when routes and pods keep to 1450', () => {
    const t = ciliumNode({ podRouteMtu: 1450, hostRouteMtu: 1450 });
    expect(underlayEdge(t)).toMatchObject({ source: 'cil-w1/host/cilium_geneve', target: 'cil-w1/host/ens192' });
    expect(underlayEdge(t)?.mtuMismatch).toBeUndefined();
    expect(mtuWarnings(t)).toEqual([]);
  });

  it('lets the route MTU, not the 1500-byte pod eth0, decide (Cilium route MTU)', () => {
    const t = ciliumNode({ tunnel: 'cilium_vxlan', podMtu: 1500, podRouteMtu: 1450, hostRouteMtu: 1450 });
    expect(underlayEdge(t)?.mtuMismatch).toBeUndefined();
    expect(mtuWarnings(t)).toEqual([]);
  });

  it('flags a pod whose default route lets 1500-byte packets into the tunnel, naming the route', () => {
    const t = ciliumNode({ podMtu: 1500, hostRouteMtu: 1450 });
    expect(underlayEdge(t)?.mtuMismatch).toBe(true);
    expect(mtuWarnings(t)).toEqual([
      'Cilium lets 1500-byte packets into cilium_geneve (route 0.0.0.0/0 via 10.0.1.183 dev eth0 in payments/ledger-6d9f7c8b5-tq4mz, eth0 MTU 1500), above ens192 MTU 1500 minus 50 bytes of encapsulation (1450) on cil-w1',
    ]);
  });

  it('says nothing when neither routes nor pods are in the evidence', () => {
    const t = buildTopology([
      snapshot('cil-w1', [
        hostNs({
          links: [link('ens192', 2, { kind: 'device', mtu: 1500 }), link('cilium_geneve', 6, { kind: 'geneve', mtu: 1500 })],
          addresses: [addr('ens192', '10.11.0.21/24')],
        }),
      ]),
    ]);
    expect(underlayEdge(t)?.target).toBe('cil-w1/host/ens192');
    expect(mtuWarnings(t)).toEqual([]);
  });

  it('still flags a non-Cilium VTEP of the same shape', () => {
    const t = buildTopology([
      snapshot('n1', [hostNs({ links: [link('ens192', 2, { kind: 'device', mtu: 1500 }), link('vxlan.calico', 6, { kind: 'vxlan', mtu: 1500, vxlan: { id: 4096, dev: 'ens192' } })] })]),
    ]);
    expect(mtuWarnings(t)).toEqual(['vxlan.calico MTU 1500 exceeds ens192 MTU 1500 minus 50 bytes of encapsulation (1450) on n1']);
  });
});
