import { describe, it, expect } from 'vitest';
import { indexTopology } from './topologyIndex';
import { flannelTwoNodes } from '../trace/testTopology';

describe('indexTopology', () => {
  const t = flannelTwoNodes().build();
  const idx = indexTopology(t);

  it('is memoised per topology object', () => {
    expect(indexTopology(t)).toBe(idx);
    expect(indexTopology(flannelTwoNodes().build())).not.toBe(idx);
  });

  it('finds nodes, namespaces and interfaces by id, name and ifindex', () => {
    expect(idx.node('node2')?.addresses).toEqual(['30.0.1.161']);
    expect(idx.netns('node1/cni-aaaa')?.kind).toBe('pod');
    expect(idx.ifaceByName('node1/host', 'flannel.1')?.id).toBe('node1/host/flannel.1');
    expect(idx.netnsOf(idx.iface('node2/host/cni0')!)).toBe('node2/host');
    expect(idx.interfacesOf('node1/host').map((i) => i.name)).toEqual(['lo', 'ens3', 'cni0', 'flannel.1', 'veth1a']);
  });

  it('finds interface by ifindex within one namespace only', () => {
    const b = flannelTwoNodes();
    b.if('node1/host/veth1a').ifindex = 6;
    b.if('node1/cni-aaaa/eth0').ifindex = 3;
    const i = indexTopology(b.build());
    expect(i.ifaceByIfindex('node1/host', 6)?.name).toBe('veth1a');
    expect(i.ifaceByIfindex('node1/host', 3)).toBeUndefined();
  });

  it('lists every owner of an address across the cluster', () => {
    expect(idx.ownersOf('10.244.2.0').map((i) => i.id)).toEqual(['node2/host/flannel.1']);
    expect(idx.ownersOf('10.9.9.9')).toEqual([]);
  });

  it('maps underlay addresses to nodes and pods by id, name and IP', () => {
    expect(idx.nodeByUnderlayAddress('30.0.1.161')?.name).toBe('node2');
    expect(idx.podById('default/server')?.ips).toEqual(['10.244.2.2']);
    expect(idx.podsByName('client').map((p) => p.id)).toEqual(['default/client']);
    expect(idx.podsByIp('10.244.2.2').map((p) => p.id)).toEqual(['default/server']);
    expect(idx.podOfNetns('node2/cni-bbbb')?.id).toBe('default/server');
  });

  it('lists bridge ports, veth peers and VXLAN devices by (node, port, VNI)', () => {
    expect(idx.bridgePorts('node1/host/cni0').map((i) => i.name)).toEqual(['veth1a']);
    expect(idx.peerOf(idx.iface('node1/host/veth1a')!)?.id).toBe('node1/cni-aaaa/eth0');
    expect(idx.vxlanDevices('node2', 8472, 1).map((i) => i.id)).toEqual(['node2/host/flannel.1']);
    expect(idx.vxlanDevices('node2', 4789, 1)).toEqual([]);
    expect(idx.hostNetnsOf('node1')?.id).toBe('node1/host');
  });
});
