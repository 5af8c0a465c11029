import { describe, it, expect } from 'vitest';
import { buildTopology } from './build';
import { addr, hostNs, link, podNs, route, snapshot } from './testSnapshots';

const hostGw = (n: number, routes: ReturnType<typeof route>[]) =>
  hostNs({
    links: [link('eth0', 2, { kind: 'device' }), link('cni0', 4, { kind: 'bridge' })],
    addresses: [addr('eth0', `10.30.180.5${n}/24`), addr('cni0', `172.22.${n}.1/24`)],
    routes: [route('0.0.0.0/0', { gateway: '10.30.180.254', dev: 'eth0' }), ...routes],
  });

describe('host-route edges', () => {
  it('ends at an uncaptured node named by the gateway address when the route carries pod addresses', () => {
    const t = buildTopology([
      snapshot('10.30.180.56', [
        hostGw(6, [route('172.22.1.0/24', { gateway: '10.30.180.55', dev: 'eth0' }), route('192.168.7.0/24', { gateway: '10.30.180.99', dev: 'eth0' })]),
        podNs('pod', undefined, { routes: [route('172.22.0.0/16', { gateway: '172.22.6.1', dev: 'eth0' })] }),
      ]),
    ]);
    expect(t.edges.filter((e) => e.kind === 'host-route')).toEqual([
      {
        id: 'host-route:10.30.180.56/host/eth0<->10.30.180.55',
        kind: 'host-route',
        source: '10.30.180.56/host/eth0',
        target: '10.30.180.55',
        inferred: true,
        evidence: ['10.30.180.56: route 172.22.1.0/24 via 10.30.180.55 dev eth0 (10.30.180.55 taken for a node: 172.22.1.0/24 holds pod addresses)'],
      },
    ]);
    // Neither the default gateway nor a router to an ordinary network becomes a node.
    expect(t.nodes.map((n) => [n.name, n.captured, n.addresses])).toEqual([
      ['10.30.180.55', false, ['10.30.180.55']],
      ['10.30.180.56', true, ['10.30.180.56']],
    ]);
  });

  it('joins the NICs of two captured nodes when the gateway is the other node’s address', () => {
    const t = buildTopology([
      snapshot('a', [hostGw(1, [route('172.22.2.0/24', { gateway: '10.30.180.52', dev: 'eth0' })])]),
      snapshot('b', [hostGw(2, [route('172.22.1.0/24', { gateway: '10.30.180.51', dev: 'eth0' })])]),
    ]);
    expect(t.edges.filter((e) => e.kind === 'host-route')).toEqual([
      expect.objectContaining({ source: 'a/host/eth0', target: 'b/host/eth0', inferred: false, evidence: ['a: route 172.22.2.0/24 via 10.30.180.52 dev eth0', 'b: route 172.22.1.0/24 via 10.30.180.51 dev eth0'] }),
    ]);
    expect(t.edges.filter((e) => e.kind === 'l2-segment')).toEqual([
      expect.objectContaining({ source: 'a/host/eth0', target: 'b/host/eth0', evidence: ['a/eth0 and b/eth0 are both on 10.30.180.0/24'] }),
    ]);
  });
});
