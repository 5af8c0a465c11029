import { describe, it, expect } from 'vitest';
import { indexTopology } from '../topology/topologyIndex';
import { bridgeForward } from './bridge';
import { fdb, flannelTwoNodes } from './testTopology';

function setup(mutate?: (b: ReturnType<typeof flannelTwoNodes>) => void) {
  const b = flannelTwoNodes();
  // A second pod on node2's cni0.
  b.netns('node2', 'cni-cccc', { pod: 'default/other', routes: ['default via 10.244.2.1 dev eth0'] });
  b.veth(
    ['node2', 'cni-cccc', 'eth0', { mac: '0a:58:0a:f4:02:03', addresses: ['10.244.2.3/24'], mtu: 1450 }],
    ['node2', 'host', 'veth2b', { mac: 'f6:00:00:00:02:03', master: 'cni0', mtu: 1450 }],
  );
  mutate?.(b);
  const idx = indexTopology(b.build());
  const ns = idx.netns('node2/host')!;
  const bridge = idx.iface('node2/host/cni0')!;
  return { idx, ns, bridge };
}

describe('bridgeForward', () => {
  it('sends a frame addressed to the bridge MAC up to the host stack', () => {
    const { idx, ns, bridge } = setup();
    const d = bridgeForward(idx, ns, bridge, idx.iface('node2/host/veth2a')!, { dstMac: '0a:58:0a:f4:02:01', nextHop: '10.244.2.1' });
    expect(d.kind).toBe('to-host');
  });

  it('forwards by the FDB entry and quotes it as bridge fdb prints it', () => {
    const { idx, ns, bridge } = setup((b) => {
      b.ns('node2/host').fdb.push(fdb('0a:58:0a:f4:02:03 dev veth2b master cni0'));
    });
    const d = bridgeForward(idx, ns, bridge, idx.iface('node2/host/veth2a')!, { dstMac: '0a:58:0a:f4:02:03', nextHop: '10.244.2.3' });
    expect(d.kind).toBe('port');
    expect(d.kind === 'port' && d.port.name).toBe('veth2b');
    expect(d.kind === 'port' && d.entry).toBe('0a:58:0a:f4:02:03 dev veth2b master cni0');
  });

  it('floods an unknown MAC and follows the port whose peer has it', () => {
    const { idx, ns, bridge } = setup();
    const d = bridgeForward(idx, ns, bridge, null, { dstMac: '0a:58:0a:f4:02:03', nextHop: '10.244.2.3' });
    expect(d.kind === 'port' && d.port.name).toBe('veth2b');
    expect(d.detail).toMatch(/flooded/);
  });

  it('drops a flooded frame no port leads to', () => {
    const { idx, ns, bridge } = setup();
    const d = bridgeForward(idx, ns, bridge, null, { dstMac: '0a:58:0a:f4:02:99', nextHop: '10.244.2.99' });
    expect(d.kind).toBe('nobody');
  });

  it('answers insufficient information when some ports lead to uncaptured pods', () => {
    const { idx, ns, bridge } = setup((b) => {
      b.iface('node2', 'host', 'vethdead', { kind: 'veth', master: 'cni0' });
    });
    const d = bridgeForward(idx, ns, bridge, null, { dstMac: '0a:58:0a:f4:02:99', nextHop: '10.244.2.99' });
    expect(d.kind).toBe('unknown');
    expect(d.kind === 'unknown' && d.missing).toMatch(/vethdead/);
  });
});
