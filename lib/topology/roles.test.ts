import { describe, expect, it } from 'vitest';
import { buildTopology } from './build';
import { addr, hostNs, route, snapshot, veth } from './testSnapshots';

describe('underlay roles on nodes whose NIC is a veth (kind, the kernel lab)', () => {
  const node = (n: number, other: number) =>
    snapshot(`node${n}`, [
      hostNs({
        links: [veth('eth0', 2, 9), veth('veth1234', 5, 2, { master: 'cni0' })],
        addresses: [addr('eth0', `192.168.50.1${n}/24`)],
        routes: [
          route('192.168.50.0/24', { dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: `192.168.50.1${n}` }),
          route(`10.244.${other}.0/24`, { gateway: `192.168.50.1${other}`, dev: 'eth0' }),
        ],
      }),
    ]);

  it('treats a host veth that holds the node address and reaches another node by gateway as the underlay', () => {
    const t = buildTopology([node(1, 2), node(2, 1)]);
    const eth0 = t.interfaces.find((i) => i.id === 'node1/host/eth0');
    expect(eth0?.role).toBe('underlay');
    expect(t.nodes.find((n) => n.name === 'node1')?.addresses).toContain('192.168.50.11');
    // The gateway is node2's own address, so no stand-in node named by the address appears.
    expect(t.nodes.map((n) => n.name)).toEqual(['node1', 'node2']);
  });

  it('keeps a bridge-port veth a host veth', () => {
    const t = buildTopology([node(1, 2)]);
    expect(t.interfaces.find((i) => i.id === 'node1/host/veth1234')?.role).toBe('host-veth');
  });
});
