import { describe, it, expect } from 'vitest';
import { buildTopology } from './build';
import { addr, fdb, hostNs, link, podNs, route, snapshot, veth } from './testSnapshots';
import type { TopoInterface, Topology } from './types';

function iface(t: Topology, id: string): TopoInterface {
  const found = t.interfaces.find((i) => i.id === id);
  if (found === undefined) throw new Error(`no interface ${id}`);
  return found;
}

describe('interfaces and namespaces', () => {
  it('infers eth0 and its address from a kernel route src when ip addr was never run', () => {
    const t = buildTopology([
      snapshot('n1', [
        hostNs({
          routes: [
            route('0.0.0.0/0', { gateway: '10.30.180.254', dev: 'eth0', protocol: 'static', metric: 100 }),
            route('10.30.180.0/24', { dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: '10.30.180.56', metric: 100 }),
          ],
        }),
      ]),
    ]);
    const eth0 = iface(t, 'n1/host/eth0');
    expect(eth0.inferred).toBe(true);
    expect(eth0.addresses).toEqual([{ ip: '10.30.180.56', prefixlen: 24, family: 4, scope: 'global', inferred: true }]);
    expect(eth0.role).toBe('underlay');
    expect(eth0.adminUp).toBeUndefined();
    expect(t.nodes[0]).toMatchObject({ name: 'n1', captured: true, addresses: ['10.30.180.56'], underlay: ['n1/host/eth0'] });
  });

  it('does not infer an address the namespace already lists', () => {
    const t = buildTopology([
      snapshot('n1', [
        hostNs({
          links: [link('eth0', 2)],
          addresses: [addr('eth0', '10.0.0.5/16')],
          routes: [route('10.0.0.0/16', { dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: '10.0.0.5' })],
        }),
      ]),
    ]);
    expect(iface(t, 'n1/host/eth0').addresses).toEqual([{ ip: '10.0.0.5', prefixlen: 16, family: 4, scope: 'global' }]);
  });

  it('makes bridge-port edges from masters and resolves master to the bridge id', () => {
    const t = buildTopology([
      snapshot('n1', [
        hostNs({
          links: [link('cni0', 4, { kind: 'bridge' }), veth('veth1', 5, 3, { master: 'cni0' }), veth('veth2', 6, 3, { master: 'cni0' })],
        }),
      ]),
    ]);
    expect(iface(t, 'n1/host/veth1').master).toBe('n1/host/cni0');
    expect(iface(t, 'n1/host/cni0').role).toBe('bridge');
    expect(t.edges.filter((e) => e.kind === 'bridge-port').map((e) => [e.source, e.target, e.evidence])).toEqual([
      ['n1/host/veth1', 'n1/host/cni0', ['veth1 master cni0']],
      ['n1/host/veth2', 'n1/host/cni0', ['veth2 master cni0']],
    ]);
  });

  it('takes bridge ports from bridge fdb entries when no link listing names the master', () => {
    const t = buildTopology([
      snapshot('n1', [hostNs({ links: [link('cni0', 4, { kind: 'bridge' })], fdb: [{ mac: 'be:78:61:7f:a4:25', dev: 'veth12acb4c1', master: 'cni0' }] })]),
    ]);
    const port = iface(t, 'n1/host/veth12acb4c1');
    expect(port).toMatchObject({ inferred: true, master: 'n1/host/cni0', role: 'host-veth' });
    expect(t.edges).toContainEqual(expect.objectContaining({ kind: 'bridge-port', source: port.id, target: 'n1/host/cni0' }));
  });

  it('stubs an unlisted master as a bridge and warns that it is unknown', () => {
    const t = buildTopology([snapshot('n1', [hostNs({ links: [link('veth9', 9, { master: 'docker0' })] })])]);
    expect(iface(t, 'n1/host/docker0')).toMatchObject({ inferred: true, role: 'bridge' });
    expect(t.warnings).toContainEqual(expect.objectContaining({ subject: 'n1/host/docker0', message: expect.stringContaining('master docker0') }));
  });

  it('stubs devices named only by routes, neighbours and fdb entries', () => {
    const t = buildTopology([
      snapshot('n1', [
        hostNs({
          routes: [route('10.244.2.0/24', { gateway: '10.244.2.0', dev: 'flannel.1', flags: ['onlink'] })],
          neighbours: [{ dst: '10.0.0.1', dev: 'ens3', lladdr: 'aa:bb:cc:dd:ee:ff' }],
          fdb: [fdb('0a:00:00:00:00:02', 'vxlan.calico', '10.0.0.2')],
        }),
      ]),
    ]);
    expect(t.interfaces.map((i) => [i.name, i.role, i.inferred])).toEqual([
      ['flannel.1', 'vtep', true],
      ['ens3', 'other', true],
      ['vxlan.calico', 'vtep', true],
    ]);
  });

  it('orders interfaces by ifindex, reads UP and LOWER_UP, and warns about a duplicate ifindex', () => {
    const t = buildTopology([
      snapshot('n1', [
        hostNs({
          links: [link('b', 3, { flags: ['BROADCAST', 'UP'] }), link('a', 1), link('c', 3), link('x', undefined)],
        }),
      ]),
    ]);
    expect(t.namespaces[0]?.interfaces).toEqual(['n1/host/a', 'n1/host/b', 'n1/host/c', 'n1/host/x']);
    expect(iface(t, 'n1/host/b')).toMatchObject({ adminUp: true, lowerUp: false });
    expect(t.warnings).toContainEqual(expect.objectContaining({ message: expect.stringContaining('ifindex 3 is claimed by both b and c') }));
  });

  it('keeps the kernel listing order of devices without an ifindex (ip -br a), with stubs last', () => {
    // `ip -br a` lists lo, eth0, vxlan.calico, cali… in ifindex order but prints no ifindex;
    // `ip -d link show vxlan.calico` and `ip link show type veth` gave the later ones theirs.
    const t = buildTopology([
      snapshot('n1', [
        hostNs({
          links: [link('lo', undefined), link('eth0', undefined), link('vxlan.calico', 4, { kind: 'vxlan' }), veth('cali0a1b2c3d4e5', 7, 3), link('eth1', undefined), veth('calib1c2d3e4f5a', 11, 3)],
          addresses: [addr('eth0', '10.0.1.10/24'), addr('vxlan.calico', '10.244.18.64/32')],
          routes: [route('10.244.77.128/26', { gateway: '10.0.1.11', dev: 'tunl0', flags: ['onlink'] })],
        }),
      ]),
    ]);
    expect(t.namespaces[0]?.interfaces.map((id) => id.slice('n1/host/'.length))).toEqual([
      'lo',
      'eth0',
      'vxlan.calico',
      'cali0a1b2c3d4e5',
      'eth1',
      'calib1c2d3e4f5a',
      'tunl0',
    ]);
  });

  it('sorts known ifindexes listed out of order, a device without one staying after its predecessor', () => {
    const t = buildTopology([snapshot('n1', [hostNs({ links: [link('lo', 1), link('eth0', undefined), link('cni0', 5), link('flannel.1', 4)] })])]);
    expect(t.namespaces[0]?.interfaces).toEqual(['n1/host/lo', 'n1/host/eth0', 'n1/host/flannel.1', 'n1/host/cni0']);
  });

  it('copies tables by reference and records which sections the evidence holds', () => {
    const routes = [route('0.0.0.0/0', { gateway: '10.0.0.1', dev: 'eth0' })];
    const t = buildTopology([
      snapshot('n1', [hostNs({ routes, sysctls: { 'net.ipv4.ip_forward': '0' }, filtered: ['routes'] }), podNs('cni-a', undefined, {})]),
    ]);
    const host = t.namespaces[0];
    expect(host?.routes).toBe(routes);
    expect(host).toMatchObject({ id: 'n1/host', known: ['routes', 'sysctls'], filtered: ['routes'], ipForward: false, neighbours: [] });
    expect(t.namespaces[1]).toMatchObject({ id: 'n1/cni-a', known: [], kind: 'pod' });
    expect(t.nodes[0]?.ipForward).toBe(false);
  });

  it('names roles from text output without kinds: vtep, ip-tunnel, bridge, routed cali veth, loopback', () => {
    const t = buildTopology([
      snapshot('n1', [
        hostNs({
          links: [link('lo', 1), link('ens3', 2), link('tunl0', 3), link('vxlan.calico', 4), link('cali1234567890a', 5), link('kube-ipvs0', 6), link('docker0', 7)],
          addresses: [addr('ens3', '192.168.50.11/24'), addr('kube-ipvs0', '10.96.0.1/32'), addr('docker0', '172.17.0.1/16')],
          routes: [route('10.244.7.65/32', { dev: 'cali1234567890a', scope: 'link' })],
        }),
      ]),
    ]);
    expect(t.interfaces.map((i) => [i.name, i.role])).toEqual([
      ['lo', 'loopback'],
      ['ens3', 'underlay'],
      ['tunl0', 'ip-tunnel'],
      ['vxlan.calico', 'vtep'],
      ['cali1234567890a', 'host-veth'],
      ['kube-ipvs0', 'other'],
      ['docker0', 'bridge'],
    ]);
    expect(t.nodes[0]?.addresses).toEqual(['192.168.50.11']);
    expect(t.nodes[0]?.tunnels).toEqual(['n1/host/tunl0', 'n1/host/vxlan.calico']);
  });

  it('lets a known kind beat a bridge-like name', () => {
    const t = buildTopology([snapshot('n1', [hostNs({ links: [link('cni0', 4, { kind: 'dummy' })] })])]);
    expect(iface(t, 'n1/host/cni0').role).toBe('other');
  });
});
