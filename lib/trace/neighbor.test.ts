import { describe, it, expect } from 'vitest';
import { indexTopology } from '../topology/topologyIndex';
import { resolveNeighbor } from './neighbor';
import { TopoBuilder, calicoIpipTwoNodes, flannelTwoNodes } from './testTopology';

function resolve(b: TopoBuilder, nsId: string, dev: string, ip: string) {
  const idx = indexTopology(b.build());
  const ns = idx.netns(nsId)!;
  return resolveNeighbor(idx, ns, idx.ifaceByName(nsId, dev)!, ip);
}

describe('resolveNeighbor', () => {
  it('uses a usable neighbour entry and quotes it as ip neigh prints it', () => {
    const r = resolve(flannelTwoNodes(), 'node1/host', 'flannel.1', '10.244.2.0');
    expect(r.kind).toBe('entry');
    expect(r.kind === 'entry' && r.entry).toBe('10.244.2.0 dev flannel.1 lladdr 5e:1f:aa:bb:cc:dd PERMANENT');
  });

  it('says ARP would resolve a pod gateway owned by the bridge behind the peer veth', () => {
    const r = resolve(flannelTwoNodes(), 'node1/cni-aaaa', 'eth0', '10.244.1.1');
    expect(r.kind).toBe('arp');
    expect(r.kind === 'arp' && r.mac).toBe('0a:58:0a:f4:01:01');
    expect(r.detail).toMatch(/ARP would resolve 10\.244\.1\.1/);
  });

  it('resolves a pod on the bridge from the host through the port peers', () => {
    const r = resolve(flannelTwoNodes(), 'node2/host', 'cni0', '10.244.2.2');
    expect(r.kind === 'arp' && r.mac).toBe('0a:58:0a:f4:02:02');
  });

  it('resolves 169.254.1.1 by proxy ARP on a Calico cali* peer', () => {
    const r = resolve(calicoIpipTwoNodes(), 'node-a/cni-a1', 'eth0', '169.254.1.1');
    expect(r.kind).toBe('arp');
    expect(r.kind === 'arp' && r.mac).toBe('ee:ee:ee:ee:ee:ee');
    expect(r.detail).toMatch(/proxy ARP/);
  });

  it('does not proxy-ARP when the peer has proxy_arp off', () => {
    const b = calicoIpipTwoNodes();
    b.if('node-a/host/calia1b2c3d4e5f').proxyArp = false;
    expect(resolve(b, 'node-a/cni-a1', 'eth0', '169.254.1.1').kind).toBe('unresolved');
  });

  it('ignores FAILED and INCOMPLETE entries but lets ARP resolve an owner', () => {
    const b = flannelTwoNodes();
    b.ns('node1/cni-aaaa').neighbours.push({ dst: '10.244.1.1', dev: 'eth0', state: ['FAILED'] });
    b.ns('node1/cni-aaaa').known.push('neighbours');
    const r = resolve(b, 'node1/cni-aaaa', 'eth0', '10.244.1.1');
    expect(r.kind).toBe('arp');
    expect(r.detail).toMatch(/FAILED/);
  });

  it('treats a missing entry on a VXLAN device without learning as unresolved when the neighbour table is known', () => {
    const b = flannelTwoNodes();
    b.ns('node1/host').neighbours = [];
    const r = resolve(b, 'node1/host', 'flannel.1', '10.244.2.0');
    expect(r.kind).toBe('unresolved');
    expect(r.detail).toMatch(/VXLAN/);
  });

  it('answers insufficient information for a VXLAN device when ip neigh was not captured', () => {
    const b = flannelTwoNodes();
    const ns = b.ns('node1/host');
    ns.neighbours = [];
    ns.known = ns.known.filter((s) => s !== 'neighbours');
    const r = resolve(b, 'node1/host', 'flannel.1', '10.244.2.0');
    expect(r.kind).toBe('unknown');
    expect(r.kind === 'unknown' && r.missing).toMatch(/ip neigh/);
  });

  it('needs no resolution on a layer-3 tunnel', () => {
    expect(resolve(calicoIpipTwoNodes(), 'node-a/host', 'tunl0', '192.168.50.12').kind).toBe('not-needed');
  });

  it('finds the captured node owning an underlay next hop on the shared subnet', () => {
    const r = resolve(flannelTwoNodes(), 'node1/host', 'ens3', '30.0.1.161');
    expect(r.kind === 'arp' && r.answerer.id).toBe('node2/host/ens3');
  });

  it('leaves an underlay next hop no captured node owns outside the evidence', () => {
    expect(resolve(flannelTwoNodes(), 'node1/host', 'ens3', '30.0.1.254').kind).toBe('outside');
  });

  it('answers insufficient information when the veth peer is unknown', () => {
    const b = flannelTwoNodes();
    delete b.if('node1/cni-aaaa/eth0').peer;
    const r = resolve(b, 'node1/cni-aaaa', 'eth0', '10.244.1.1');
    expect(r.kind).toBe('unknown');
    expect(r.kind === 'unknown' && r.missing).toMatch(/veth peer/);
  });
});
