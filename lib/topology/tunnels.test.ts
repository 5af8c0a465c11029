import { describe, it, expect } from 'vitest';
import { buildTopology } from './build';
import { addr, fdb, flannelHost, hostNs, link, neigh, podNs, route, snapshot, veth } from './testSnapshots';
import type { TopoEdge, Topology } from './types';

function edgesOf(t: Topology, kind: TopoEdge['kind']): TopoEdge[] {
  return t.edges.filter((e) => e.kind === kind);
}

const MAC1 = '0a:00:00:00:00:01';
const MAC2 = '0a:00:00:00:00:02';

describe('VXLAN edges', () => {
  it('joins two nodes’ VTEPs from FDB and neighbour entries, with VNI, outer addresses and port', () => {
    const t = buildTopology([
      snapshot('node1', [
        flannelHost(1, {
          fdb: [fdb(MAC2, 'flannel.1', '192.168.0.2')],
          neighbours: [neigh('10.244.2.0', 'flannel.1', MAC2)],
          routes: [route('10.244.2.0/24', { gateway: '10.244.2.0', dev: 'flannel.1', flags: ['onlink'] })],
        }),
      ]),
      snapshot('node2', [
        flannelHost(2, {
          fdb: [fdb(MAC1, 'flannel.1', '192.168.0.1')],
          neighbours: [neigh('10.244.1.0', 'flannel.1', MAC1)],
        }),
      ]),
    ]);
    expect(edgesOf(t, 'vxlan')).toEqual([
      {
        id: 'vxlan:node1/host/flannel.1<->node2/host/flannel.1',
        kind: 'vxlan',
        source: 'node1/host/flannel.1',
        target: 'node2/host/flannel.1',
        inferred: false,
        evidence: [
          `node1: fdb ${MAC2} dev flannel.1 dst 192.168.0.2, neigh 10.244.2.0 lladdr ${MAC2}`,
          `node2: fdb ${MAC1} dev flannel.1 dst 192.168.0.1, neigh 10.244.1.0 lladdr ${MAC1}`,
        ],
        vni: 1,
        outerSrc: '192.168.0.1',
        outerDst: '192.168.0.2',
        dstPort: 8472,
      },
    ]);
    expect(edgesOf(t, 'underlay').map((e) => [e.source, e.target, e.inferred, e.evidence])).toEqual([
      ['node1/host/flannel.1', 'node1/host/eth0', false, ['flannel.1 vxlan dev eth0']],
      ['node2/host/flannel.1', 'node2/host/eth0', false, ['flannel.1 vxlan dev eth0']],
    ]);
    expect(t.nodes.map((n) => n.name)).toEqual(['node1', 'node2']);
  });

  it('uses the VXLAN device’s own port when ip -d link gives one', () => {
    const host = hostNs({
      links: [link('eth0', 2, { kind: 'device' }), link('vxlan.calico', 9, { kind: 'vxlan', vxlan: { id: 4096, port: 4789, local: '10.0.0.1', dev: 'eth0' } })],
      addresses: [addr('eth0', '10.0.0.1/24')],
      fdb: [fdb('66:aa:bb:cc:dd:ee', 'vxlan.calico', '10.0.0.2')],
    });
    const t = buildTopology([snapshot('a', [host], { kubernetes: { nodes: [{ name: 'b', addresses: ['10.0.0.2'] }] } })]);
    expect(edgesOf(t, 'vxlan')).toEqual([
      expect.objectContaining({ source: 'a/host/vxlan.calico', target: 'b', vni: 4096, dstPort: 4789, outerSrc: '10.0.0.1', outerDst: '10.0.0.2' }),
    ]);
    expect(t.nodes.find((n) => n.name === 'b')).toMatchObject({ captured: false, addresses: ['10.0.0.2'] });
  });

  it('draws a VXLAN edge from flannel node annotations, marked inferred, when the FDB was not captured', () => {
    const host = flannelHost(1);
    delete host.fdb;
    const t = buildTopology([
      snapshot('node1', [host], {
        kubernetes: {
          nodes: [
            { name: 'node1', annotations: { 'flannel.alpha.coreos.com/backend-data': `{"VNI":1,"VtepMAC":"${MAC1}"}`, 'flannel.alpha.coreos.com/public-ip': '192.168.0.1' } },
            { name: 'node2', annotations: { 'flannel.alpha.coreos.com/backend-data': `{"VNI":1,"VtepMAC":"${MAC2}"}`, 'flannel.alpha.coreos.com/public-ip': '192.168.0.2' } },
          ],
        },
      }),
    ]);
    expect(edgesOf(t, 'vxlan')).toEqual([
      {
        id: 'vxlan:node1/host/flannel.1<->node2',
        kind: 'vxlan',
        source: 'node1/host/flannel.1',
        target: 'node2',
        inferred: true,
        evidence: [`annotations of node2: VNI 1, VtepMAC ${MAC2}, public-ip 192.168.0.2`],
        vni: 1,
        outerSrc: '192.168.0.1',
        outerDst: '192.168.0.2',
        dstPort: 8472,
      },
    ]);
    expect(t.nodes.find((n) => n.name === 'node2')).toMatchObject({ captured: false, addresses: ['192.168.0.2'] });
  });

  it('draws no annotation edge from a VTEP whose complete FDB lacks the node', () => {
    const t = buildTopology([
      snapshot('node1', [flannelHost(1)], {
        kubernetes: { nodes: [{ name: 'node2', annotations: { 'flannel.alpha.coreos.com/public-ip': '192.168.0.2' } }] },
      }),
    ]);
    expect(edgesOf(t, 'vxlan')).toEqual([]);
  });

  it('names an uncaptured node by the FDB destination address when nothing else names it', () => {
    const t = buildTopology([snapshot('node1', [flannelHost(1, { fdb: [fdb(MAC2, 'flannel.1', '192.168.0.9')] })])]);
    expect(edgesOf(t, 'vxlan')[0]).toMatchObject({ target: '192.168.0.9', outerDst: '192.168.0.9' });
    expect(t.nodes.find((n) => n.id === '192.168.0.9')).toMatchObject({ captured: false, addresses: ['192.168.0.9'] });
  });
});

describe('IPIP edges', () => {
  const calicoHost = (n: number, routes: ReturnType<typeof route>[] = [], tunlMtu = 1480) =>
    hostNs({
      links: [
        link('lo', 1, { kind: 'loopback' }),
        link('eth0', 2, { kind: 'device', mtu: 1500 }),
        link('tunl0', 3, { kind: 'ipip', mtu: tunlMtu, tunnel: { mode: 'ipip' } }),
      ],
      addresses: [addr('eth0', `192.168.50.1${n}/24`), addr('tunl0', `10.244.${n}.64/32`)],
      routes: [
        route('0.0.0.0/0', { gateway: '192.168.50.1', dev: 'eth0' }),
        route('192.168.50.0/24', { dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: `192.168.50.1${n}` }),
        route(`10.244.${n}.64/26`, { type: 'blackhole', protocol: 'bird' }),
        ...routes,
      ],
    });

  it('joins tunl0 to the remote node’s tunl0 from a `via GW dev tunl0 onlink` route', () => {
    const t = buildTopology([
      snapshot('node-a', [calicoHost(1, [route('10.244.2.64/26', { gateway: '192.168.50.12', dev: 'tunl0', protocol: 'bird', flags: ['onlink'] })])]),
      snapshot('node-b', [calicoHost(2, [route('10.244.1.64/26', { gateway: '192.168.50.11', dev: 'tunl0', protocol: 'bird', flags: ['onlink'] })])]),
    ]);
    expect(edgesOf(t, 'ipip')).toEqual([
      {
        id: 'ipip:node-a/host/tunl0<->node-b/host/tunl0',
        kind: 'ipip',
        source: 'node-a/host/tunl0',
        target: 'node-b/host/tunl0',
        inferred: false,
        evidence: ['node-a: route 10.244.2.64/26 via 192.168.50.12 dev tunl0 onlink', 'node-b: route 10.244.1.64/26 via 192.168.50.11 dev tunl0 onlink'],
        outerSrc: '192.168.50.11',
        outerDst: '192.168.50.12',
      },
    ]);
    // tunl0 has `local any`: the route to the remote gateway decides the NIC.
    expect(edgesOf(t, 'underlay')[0]).toMatchObject({ source: 'node-a/host/tunl0', target: 'node-a/host/eth0', inferred: true });
    expect(edgesOf(t, 'underlay')[0]?.mtuMismatch).toBeUndefined();
    expect(edgesOf(t, 'underlay')[0]?.evidence[0]).toContain('route to 192.168.50.12');
    expect(t.nodes[0]?.podCidrs).toEqual(['10.244.1.64/26']);
  });

  it('points at the remote node when only Kubernetes knows its address', () => {
    const t = buildTopology([
      snapshot('node-a', [calicoHost(1, [route('10.244.2.64/26', { gateway: '192.168.50.12', dev: 'tunl0', flags: ['onlink'] })])], {
        kubernetes: { nodes: [{ name: 'node-b', addresses: ['192.168.50.12'], podCidrs: ['10.244.2.64/26'] }] },
      }),
    ]);
    expect(edgesOf(t, 'ipip')[0]).toMatchObject({ source: 'node-a/host/tunl0', target: 'node-b', outerDst: '192.168.50.12' });
    expect(t.nodes[1]).toMatchObject({ name: 'node-b', captured: false, podCidrs: ['10.244.2.64/26'] });
  });
});

describe('MTU checks', () => {
  it('flags a VTEP whose MTU leaves no room for 50 bytes of VXLAN on its underlay', () => {
    const host = flannelHost(1, { fdb: [fdb(MAC2, 'flannel.1', '192.168.0.2')] });
    const flannel = host.links?.find((l) => l.name === 'flannel.1');
    if (flannel) flannel.mtu = 1500;
    const t = buildTopology([snapshot('node1', [host])]);
    expect(edgesOf(t, 'underlay')[0]?.mtuMismatch).toBe(true);
    expect(t.warnings).toContainEqual(expect.objectContaining({ message: expect.stringContaining('flannel.1 MTU 1500 exceeds eth0 MTU 1500 minus 50') }));
  });

  it('flags tunl0 above underlay minus 20 but accepts exactly 1480', () => {
    const ok = buildTopology([snapshot('a', [hostNs({ links: [link('eth0', 2, { mtu: 1500 }), link('tunl0', 3, { mtu: 1480, tunnel: { mode: 'ipip', dev: 'eth0' } })] })])]);
    expect(edgesOf(ok, 'underlay')[0]?.mtuMismatch).toBeUndefined();
    const bad = buildTopology([snapshot('a', [hostNs({ links: [link('eth0', 2, { mtu: 1500 }), link('tunl0', 3, { mtu: 1490, tunnel: { mode: 'ipip', dev: 'eth0' } })] })])]);
    expect(edgesOf(bad, 'underlay')[0]?.mtuMismatch).toBe(true);
  });

  it("warns when a pod's eth0 MTU exceeds its node's tunnel MTU", () => {
    const host = flannelHost(1, { fdb: [fdb(MAC2, 'flannel.1', '192.168.0.2')], links: [veth('veth1', 5, 2, { master: 'cni0', mtu: 1500 })] });
    const t = buildTopology([
      snapshot('node1', [host, podNs('cni-a', { namespace: 'dev', name: 'web' }, { links: [veth('eth0', 2, 5, { mtu: 1500 })] })]),
    ]);
    expect(t.warnings).toContainEqual(
      expect.objectContaining({ node: 'node1', message: '1 pod(s) on node1 have eth0 MTU up to 1500, above flannel.1 MTU 1450: dev/web' }),
    );
  });

  it('does not compare pods with an idle tunnel', () => {
    const t = buildTopology([
      snapshot('n', [
        hostNs({ links: [link('eth0', 2, { mtu: 1500 }), link('tunl0', 3, { mtu: 1480 }), veth('cali1', 5, 2)] }),
        podNs('cni-a', undefined, { links: [veth('eth0', 2, 5, { mtu: 1500 })] }),
      ]),
    ]);
    expect(t.warnings.filter((w) => w.message.includes('MTU'))).toEqual([]);
  });
});
