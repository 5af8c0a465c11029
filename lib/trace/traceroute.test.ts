import { describe, it, expect } from 'vitest';
import { trace } from './trace';
import { calicoIpipTwoNodes, flannelTwoNodes, route } from './testTopology';

/** flannel host-gw: the flannel two-node literal with direct routes over ens3 instead of flannel.1. */
function hostGwTwoNodes() {
  const b = flannelTwoNodes();
  const n1 = b.ns('node1/host');
  n1.routes = n1.routes.filter((r) => r.dst !== '10.244.2.0/24');
  n1.routes.push(route('10.244.2.0/24 via 30.0.1.161 dev ens3'));
  const n2 = b.ns('node2/host');
  n2.routes = n2.routes.filter((r) => r.dst !== '10.244.1.0/24');
  n2.routes.push(route('10.244.1.0/24 via 30.0.1.160 dev ens3'));
  return b;
}

describe('predicted traceroute', () => {
  it('flannel VXLAN: bridge address, remote flannel.1 address, destination', () => {
    expect(trace(flannelTwoNodes().build(), 'default/client', 'default/server').traceroute).toEqual(['10.244.1.1', '10.244.2.0', '10.244.2.2']);
  });

  it('host-gw: bridge address, the remote node underlay address, destination', () => {
    const t = trace(hostGwTwoNodes().build(), 'default/client', 'default/server');
    expect(t.verdict).toBe('delivered');
    expect(t.hops.some((h) => h.encap)).toBe(false);
    expect(t.traceroute).toEqual(['10.244.1.1', '30.0.1.161', '10.244.2.2']);
  });

  it('Calico IPIP: first node address, remote tunl0 address, destination', () => {
    expect(trace(calicoIpipTwoNodes().build(), 'default/web', 'default/db').traceroute).toEqual(['192.168.50.11', '10.244.9.0', '10.244.9.2']);
  });

  it('ends with a single star when the packet is not delivered', () => {
    const t = trace(flannelTwoNodes({ vni2: 9 }).build(), 'default/client', 'default/server');
    expect(t.verdict).toBe('dropped');
    expect(t.traceroute).toEqual(['10.244.1.1', '*']);
  });

  it('shows only the destination for a pod on the same bridge', () => {
    const b = flannelTwoNodes();
    b.netns('node1', 'cni-dddd', { pod: 'default/peer', routes: ['default via 10.244.1.1 dev eth0', '10.244.1.0/24 dev eth0 scope link src 10.244.1.3'] });
    b.veth(['node1', 'cni-dddd', 'eth0', { mac: '0a:58:0a:f4:01:03', addresses: ['10.244.1.3/24'], mtu: 1450 }], ['node1', 'host', 'veth1b', { master: 'cni0', mtu: 1450 }]);
    b.pod('default/peer', 'node1', ['10.244.1.3'], 'node1/cni-dddd');
    const t = trace(b.build(), 'default/client', 'default/peer');
    expect(t.verdict).toBe('delivered');
    expect(t.traceroute).toEqual(['10.244.1.3']);
  });
});
