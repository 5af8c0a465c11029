import { describe, it, expect } from 'vitest';
import { indexTopology } from '../topology/topologyIndex';
import type { PacketHeaders } from './types';
import { vxlanDecap, vxlanEncap } from './vxlan';
import { NODE2_VTEP_MAC, fdb, flannelTwoNodes } from './testTopology';

const inner: PacketHeaders = { src: '10.244.1.2', dst: '10.244.2.2', protocol: 1, ttl: 63, length: 84 };

function at(b = flannelTwoNodes(), node = 'node1') {
  const idx = indexTopology(b.build());
  return { idx, ns: idx.netns(`${node}/host`)!, vtep: idx.iface(`${node}/host/flannel.1`)! };
}

describe('vxlanEncap', () => {
  it('sends to the FDB dst of the neighbour MAC from the device local address', () => {
    const { idx, ns, vtep } = at();
    const r = vxlanEncap(idx, ns, vtep, inner, NODE2_VTEP_MAC);
    expect(r.kind).toBe('ok');
    if (r.kind !== 'ok') return;
    expect(r.outer).toMatchObject({ src: '30.0.1.160', dst: '30.0.1.161', protocol: 17, dstPort: 8472, length: 134 });
    expect(r.encap.vni).toBe(1);
  });

  it('uses Linux default port 8472 when dstport is not given, and the host-selected source when local is not set', () => {
    const b = flannelTwoNodes();
    const v = b.if('node1/host/flannel.1');
    v.vxlan = { id: 1 };
    const { idx, ns, vtep } = at(b);
    const r = vxlanEncap(idx, ns, vtep, inner, NODE2_VTEP_MAC);
    expect(r.kind === 'ok' && r.outer.dstPort).toBe(8472);
    expect(r.kind === 'ok' && r.outer.src).toBe('30.0.1.160');
    expect(r.kind === 'ok' && r.detail).toMatch(/source the host selects/);
  });

  it('falls back to the all-zero default destination and says it follows the first', () => {
    const b = flannelTwoNodes();
    b.ns('node1/host').fdb = [fdb('00:00:00:00:00:00 dev flannel.1 dst 30.0.1.161 self permanent'), fdb('00:00:00:00:00:00 dev flannel.1 dst 30.0.1.162 self permanent')];
    const { idx, ns, vtep } = at(b);
    const r = vxlanEncap(idx, ns, vtep, inner, NODE2_VTEP_MAC);
    expect(r.kind === 'ok' && r.remote).toBe('30.0.1.161');
    expect(r.kind === 'ok' && r.notes.join(' ')).toMatch(/2 default destinations.*first/);
  });

  it('reports fdb-missing when the FDB is known and has no entry', () => {
    const b = flannelTwoNodes();
    b.ns('node1/host').fdb = [];
    const { idx, ns, vtep } = at(b);
    expect(vxlanEncap(idx, ns, vtep, inner, NODE2_VTEP_MAC).kind).toBe('fdb-missing');
  });
});

describe('vxlanDecap', () => {
  const outer: PacketHeaders = { src: '30.0.1.160', dst: '30.0.1.161', protocol: 17, ttl: 64, length: 134, dstPort: 8472 };

  it('accepts a datagram on the VTEP port and VNI addressed to the VTEP MAC', () => {
    const { idx, ns } = at(flannelTwoNodes(), 'node2');
    const r = vxlanDecap(idx, ns, outer, 1, NODE2_VTEP_MAC);
    expect(r.kind === 'ok' && r.vtep.name).toBe('flannel.1');
  });

  it('drops no-vtep when nothing listens on the UDP port', () => {
    const { idx, ns } = at(flannelTwoNodes(), 'node2');
    const r = vxlanDecap(idx, ns, { ...outer, dstPort: 4789 }, 1, NODE2_VTEP_MAC);
    expect(r.kind === 'dropped' && r.reason).toBe('no-vtep');
  });

  it('drops vni-mismatch naming the VNIs the node has', () => {
    const { idx, ns } = at(flannelTwoNodes(), 'node2');
    const r = vxlanDecap(idx, ns, outer, 7, NODE2_VTEP_MAC);
    expect(r.kind === 'dropped' && r.reason).toBe('vni-mismatch');
    expect(r.detail).toMatch(/VNI 7.*flannel\.1 VNI 1/);
  });

  it('drops not-addressed-here when the inner frame carries a stale MAC', () => {
    const { idx, ns } = at(flannelTwoNodes(), 'node2');
    const r = vxlanDecap(idx, ns, outer, 1, '5e:1f:de:ad:be:ef');
    expect(r.kind === 'dropped' && r.reason).toBe('not-addressed-here');
    expect(r.detail).toContain('5e:1f:de:ad:be:ef');
    expect(r.detail).toContain(NODE2_VTEP_MAC);
  });
});
