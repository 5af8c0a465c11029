import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { readEvidence } from '../read/readEvidence';
import { buildTopology } from './build';

const CAPTURE = 'cni0-host-routes-single-node.txt';
const text = readFileSync(path.join(__dirname, '../../e2e/fixtures/captures', CAPTURE), 'utf8');

describe('the pasted cni0 capture (shared/captures README findings)', () => {
  const read = readEvidence(text, { fileName: CAPTURE });
  const t = buildTopology(read.snapshots);
  const node = '10.30.180.56';
  const podNetns = t.namespaces.find((ns) => ns.pod?.name === 'signin-test-a-8bcd5db69-9z2c5');
  const iface = (id: string) => t.interfaces.find((i) => i.id === id);

  it('pairs the pod’s eth0 (ifindex 2) with host veth12acb4c1 (ifindex 220)', () => {
    expect(podNetns).toBeDefined();
    const eth0 = iface(`${podNetns?.id}/eth0`);
    expect(eth0).toMatchObject({ ifindex: 2, role: 'pod-veth' });
    expect(eth0?.peer).toMatchObject({ id: `${node}/host/veth12acb4c1`, state: 'paired' });
    expect(iface(`${node}/host/veth12acb4c1`)).toMatchObject({ ifindex: 220, role: 'host-veth', peer: { id: eth0?.id, state: 'paired' } });
    expect(t.edges).toContainEqual(expect.objectContaining({ kind: 'veth', source: eth0?.id, target: `${node}/host/veth12acb4c1`, inferred: false }));
  });

  it('places the pod on its node with its IP', () => {
    expect(t.pods).toContainEqual(
      expect.objectContaining({ id: 'dev/signin-test-a-8bcd5db69-9z2c5', node, ips: ['172.22.0.253'], netns: podNetns?.id }),
    );
  });

  it('makes cni0, holding the pod gateway 172.22.0.1/24, the bridge of ten veth ports', () => {
    const cni0 = iface(`${node}/host/cni0`);
    expect(cni0?.role).toBe('bridge');
    expect(cni0?.addresses).toContainEqual(expect.objectContaining({ ip: '172.22.0.1', prefixlen: 24 }));
    const ports = t.edges.filter((e) => e.kind === 'bridge-port' && e.target === cni0?.id);
    expect(ports).toHaveLength(10);
    expect(ports.map((e) => e.source)).toContain(`${node}/host/veth12acb4c1`);
    expect(t.nodes.find((n) => n.name === node)?.podCidrs).toEqual(['172.22.0.0/24']);
  });

  it('knows eth0’s address 10.30.180.56/24 only from the route src, and marks it inferred', () => {
    expect(iface(`${node}/host/eth0`)).toMatchObject({
      role: 'underlay',
      addresses: [{ ip: '10.30.180.56', prefixlen: 24, family: 4, scope: 'global', inferred: true }],
    });
  });

  it('shows 10.30.180.55 as an uncovered node reached by a host route on eth0', () => {
    expect(t.nodes.find((n) => n.name === '10.30.180.55')).toMatchObject({ captured: false, addresses: ['10.30.180.55'] });
    expect(t.edges).toContainEqual(expect.objectContaining({ kind: 'host-route', source: `${node}/host/eth0`, target: '10.30.180.55' }));
    // The default gateway is a router, not a node.
    expect(t.nodes.map((n) => n.name)).not.toContain('10.30.180.254');
  });
});
