import { describe, it, expect } from 'vitest';
import { indexTopology } from '../topology/topologyIndex';
import type { PacketHeaders } from './types';
import { ipipDecap, ipipEncap } from './ipip';
import { calicoIpipTwoNodes } from './testTopology';

const inner: PacketHeaders = { src: '10.244.7.65', dst: '10.244.9.2', protocol: 1, ttl: 63, length: 84 };

describe('ipipEncap', () => {
  it('addresses the outer packet to the route gateway from the source the host picks for it', () => {
    const idx = indexTopology(calicoIpipTwoNodes().build());
    const r = ipipEncap(idx, idx.netns('node-a/host')!, idx.iface('node-a/host/tunl0')!, inner, '192.168.50.12');
    expect(r.kind).toBe('ok');
    expect(r.kind === 'ok' && r.outer).toMatchObject({ src: '192.168.50.11', dst: '192.168.50.12', protocol: 4, length: 104 });
  });

  it('picks the second NIC when the gateway lies on its subnet (two-NIC nodes)', () => {
    const b = calicoIpipTwoNodes();
    b.iface('node-a', 'host', 'eth1', { addresses: ['10.10.0.11/24'] });
    b.ns('node-a/host').routes.push({ family: 4, table: 'main', type: 'unicast', dst: '10.10.0.0/24', dev: 'eth1', protocol: 'kernel', scope: 'link' });
    const idx = indexTopology(b.build());
    const r = ipipEncap(idx, idx.netns('node-a/host')!, idx.iface('node-a/host/tunl0')!, inner, '10.10.0.12');
    expect(r.kind === 'ok' && r.encap.outerSrc).toBe('10.10.0.11');
  });

  it('uses a fixed remote and local when the tunnel has them', () => {
    const b = calicoIpipTwoNodes();
    b.if('node-a/host/tunl0').tunnel = { mode: 'ipip', local: '192.168.50.11', remote: '192.168.50.99' };
    const idx = indexTopology(b.build());
    const r = ipipEncap(idx, idx.netns('node-a/host')!, idx.iface('node-a/host/tunl0')!, inner, '192.168.50.12');
    expect(r.kind === 'ok' && r.encap.outerDst).toBe('192.168.50.99');
  });
});

describe('ipipDecap', () => {
  it('hands protocol-4 packets to the catch-all tunl0', () => {
    const idx = indexTopology(calicoIpipTwoNodes().build());
    const r = ipipDecap(idx, idx.netns('node-b/host')!, { src: '192.168.50.11', dst: '192.168.50.12', protocol: 4, ttl: 63, length: 104 });
    expect(r.kind === 'ok' && r.tunnel.name).toBe('tunl0');
  });

  it('drops no-vtep on a node without an IPIP device', () => {
    const b = calicoIpipTwoNodes();
    const ns = b.ns('node-b/host');
    ns.interfaces = ns.interfaces.filter((i) => !i.endsWith('/tunl0'));
    b.interfaces.splice(b.interfaces.findIndex((i) => i.id === 'node-b/host/tunl0'), 1);
    const idx = indexTopology(b.build());
    const r = ipipDecap(idx, idx.netns('node-b/host')!, { src: '192.168.50.11', dst: '192.168.50.12', protocol: 4, ttl: 63, length: 104 });
    expect(r.kind === 'dropped' && r.reason).toBe('no-vtep');
  });
});
