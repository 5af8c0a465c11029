/**
 * Traces to Services (DOMAIN §6) over the kube-dns fixture: a pasted two-node
 * flannel cluster whose first node also gave `kubectl get svc -A` and
 * kube-proxy's rules (iptables-save -t nat | grep KUBE, and the filter
 * table's REJECT of a Service without endpoints).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEvidence } from '../read/readEvidence';
import { reconcileReadings, type ReadingToReconcile } from '../read/reconcile';
import type { Snapshot } from '../snapshot/schema';
import { buildTopology } from '../topology/build';
import { buildServices } from '../topology/services';
import { trace } from './trace';
import type { TraceOptions } from './types';

const DIR = path.join(__dirname, '..', '..', 'e2e', 'fixtures', 'realworld', 'kube-dns-clusterip-flannel');
const FILES = ['ip-10-0-1-23.txt', 'ip-10-0-2-47.txt'];
const CART = 'shop/cart-5d9f8b7c6-kx2pq';

function snapshots(): Snapshot[] {
  const readings: ReadingToReconcile[] = FILES.map((f) => ({ result: readEvidence(readFileSync(path.join(DIR, f), 'utf8'), { fileName: f }) }));
  reconcileReadings(readings);
  return readings.flatMap((r) => r.result.snapshots);
}

const SNAPS = snapshots();
const TOPOLOGY = buildTopology(SNAPS);
const SERVICES = buildServices(SNAPS);

function traceTo(to: string, options: TraceOptions = {}) {
  return trace(TOPOLOGY, CART, to, { services: SERVICES, ...options });
}

describe('trace to a Service', () => {
  it('DNATs a ClusterIP in PREROUTING of the first node and forks one path per ready endpoint', () => {
    const t = traceTo('10.96.0.10');
    expect(t.service).toMatchObject({ name: 'kube-system/kube-dns:dns', address: '10.96.0.10:53/udp' });
    const dnat = t.hops[t.hops.length - 1]?.steps.find((s) => s.action === 'dnat');
    expect(dnat).toMatchObject({ hook: 'PREROUTING', original: '10.96.0.10:53' });
    expect(dnat?.action === 'dnat' && dnat.rule).toContain('-A KUBE-SERVICES -d 10.96.0.10/32 -p udp');
    expect(t.forks?.map((f) => [f.endpoint.ip, f.endpoint.port, f.endpoint.probability, f.endpoint.pod])).toEqual([
      ['10.244.0.3', 53, 0.5, 'kube-system/coredns-5dd5756b68-7hq4n'],
      ['10.244.1.2', 53, 0.5, 'kube-system/coredns-5dd5756b68-xm2bd'],
    ]);
    expect(t.forks?.map((f) => f.verdict)).toEqual(['delivered', 'delivered']);
    expect(t.verdict).toBe('delivered');
    // Each fork continues with the rewritten destination.
    const last = t.forks?.[1]?.hops.at(-1);
    expect(last?.pod).toBe('kube-system/coredns-5dd5756b68-xm2bd');
    expect(last?.packet).toMatchObject({ dst: '10.244.1.2', dstPort: 53, protocol: 17 });
    expect(t.warnings.some((w) => w.includes('ports 53/udp, 53/tcp, 9153/tcp'))).toBe(true);
  });

  it('predicts per endpoint a traceroute whose every line is the ClusterIP (conntrack rewrites the ICMP errors too)', () => {
    const t = traceTo('10.96.0.10:53');
    // Kernel lab (netns, iptables DNAT like kube-proxy, br_netfilter on): `traceroute -U -p 53` to an endpoint on the
    // client's bridge prints one line, to one behind another node one line per forwarding hop, all the Service address.
    expect(t.forks?.map((f) => f.traceroute)).toEqual([['10.96.0.10'], ['10.96.0.10', '10.96.0.10', '10.96.0.10']]);
    expect(t.traceroute).toEqual(['10.96.0.10']);
  });

  it('bridges the DNATed frame back out cni0 to an endpoint on the same bridge (br_netfilter): no TTL spent', () => {
    const t = traceTo('10.96.0.10:53');
    const local = t.forks?.[0];
    expect(local?.hops.at(-1)?.packet.ttl).toBe(64);
    expect(local?.hops.flatMap((h) => h.steps).find((s) => s.action === 'routed' && s.detail.startsWith('bridged DNAT'))).toMatchObject({ forwarded: false });
    expect(t.forks?.[1]?.hops.at(-1)?.packet.ttl).toBe(62);
    expect(t.warnings.some((w) => w.includes('bridge-nf-call-iptables of ip-10-0-1-23 is not in the evidence'))).toBe(true);
  });

  it('without br_netfilter, routes to the local endpoint and says its reply bypasses the NAT', () => {
    const snaps = structuredClone(SNAPS);
    const host = snaps.find((s) => s.node.name === 'ip-10-0-1-23')?.namespaces.find((n) => n.kind === 'host');
    if (!host) throw new Error('fixture lost its host netns');
    host.sysctls = { ...(host.sysctls ?? {}), 'net.bridge.bridge-nf-call-iptables': '0' };
    const t = trace(buildTopology(snaps), CART, '10.96.0.10:53', { services: buildServices(snaps) });
    expect(t.forks?.[0]?.traceroute).toEqual(['10.96.0.10', '*']);
    expect(t.forks?.[0]?.warnings.some((w) => w.includes('bypassing the conntrack'))).toBe(true);
  });

  it('names a Service as svc/NAMESPACE/NAME:PORT and picks the rule of that port', () => {
    const t = traceTo('svc/kube-system/kube-dns:9153');
    expect(t.to).toMatchObject({ input: 'svc/kube-system/kube-dns:9153', ip: '10.96.0.10' });
    expect(t.service?.name).toBe('kube-system/kube-dns:metrics');
    expect(t.forks?.map((f) => `${f.endpoint.ip}:${f.endpoint.port}`)).toEqual(['10.244.0.3:9153']);
    expect(t.forks?.[0]?.endpoint.probability).toBe(1);
  });

  it('drops a packet to a Service without endpoints with the REJECT kube-proxy wrote', () => {
    const t = traceTo('10.101.7.9:80');
    expect(t.verdict).toBe('dropped');
    expect(t.dropReason).toBe('service-no-endpoints');
    expect(t.reason).toContain('shop/checkout:http has no endpoints');
    expect(t.forks).toBeUndefined();
  });

  it('DNATs a NodePort on a node address, masquerades it at POSTROUTING and follows it to the endpoint', () => {
    const t = traceTo('10.0.1.23:31379');
    expect(t.service?.name).toBe('shop/redis:redis');
    expect(t.forks?.map((f) => [f.endpoint.ip, f.verdict])).toEqual([['10.244.1.4', 'delivered']]);
    // KUBE-EXT's "masquerade traffic for … external destinations": the endpoint sees flannel.1's address as the source.
    expect(t.forks?.[0]?.hops.at(-1)?.packet).toMatchObject({ src: '10.244.0.0', dst: '10.244.1.4', dstPort: 6379, protocol: 6 });
    expect(t.forks?.[0]?.traceroute).toEqual(['10.0.1.23', '10.0.1.23', '10.0.1.23']);
  });

  it('masquerades only the connections a KUBE-MARK-MASQ rule matches (host sources outside the cluster CIDR)', () => {
    const fromPod = traceTo('10.96.0.10:53');
    expect(fromPod.forks?.[1]?.hops.at(-1)?.packet.src).toBe('10.244.0.7');
    const fromNode = trace(TOPOLOGY, 'ip-10-0-1-23', '10.96.0.10:53', { services: SERVICES });
    expect(fromNode.hops.at(-1)?.steps.find((s) => s.action === 'dnat')).toMatchObject({ hook: 'OUTPUT' });
    expect(fromNode.forks?.[1]?.hops.at(-1)?.packet.src).toBe('10.244.0.0');
  });

  it('leaves ping to a ClusterIP alone (kube-proxy rewrites only the ports) and says so', () => {
    const t = traceTo('10.96.0.10', { protocol: 1 });
    expect(t.forks).toBeUndefined();
    expect(t.verdict).toBe('exits-network');
    expect(t.warnings.some((w) => w.includes('kube-proxy rewrites only the Service'))).toBe(true);
  });

  it('says which rules are missing instead of following the default route when the node gave none', () => {
    const onlyKubectl = buildServices(SNAPS);
    onlyKubectl.kubeProxy = {};
    const t = trace(TOPOLOGY, CART, '10.96.0.10', { services: onlyKubectl });
    expect(t.verdict).toBe('insufficient-information');
    expect(t.reason).toContain('no kube-proxy rules captured for 10.96.0.10 on ip-10-0-1-23');
  });

  it('is unchanged without Service evidence', () => {
    // The same cluster with its Service facts taken away (buildTopology attaches them when present).
    expect(TOPOLOGY.services).toBeDefined();
    const { services: _facts, ...bare } = TOPOLOGY;
    const t = trace(bare, CART, '10.96.0.10');
    expect(t.forks).toBeUndefined();
    expect(t.service).toBeUndefined();
    expect(t.verdict).toBe('exits-network');
    expect(t.hops.at(-1)?.packet.protocol).toBe(1);
  });

  it('reads the ClusterIP range from the API server flag and lets an unused address of it follow the routes, saying why', () => {
    expect(SERVICES.serviceCidrs).toEqual(['10.96.0.0/12']);
    const t = traceTo('10.96.5.5:80');
    expect(t.forks).toBeUndefined();
    expect(t.verdict).toBe('exits-network');
    expect(t.warnings).toContain('10.96.5.5 is in the Service ClusterIP range, but no Service listed or kube-proxy rule captured has it: nothing rewrites it and the packet follows the routes');
    // From the node that gave no rules, an address of the range cannot be followed honestly.
    const fromNode2 = trace(TOPOLOGY, 'ip-10-0-2-47', '10.100.0.9:80', { services: SERVICES });
    expect(fromNode2.verdict).toBe('insufficient-information');
    expect(fromNode2.reason).toContain('no kube-proxy rules captured for 10.100.0.9 on ip-10-0-2-47; it is in the Service ClusterIP range');
  });

  it('reports an unknown Service name', () => {
    const t = traceTo('svc/default/nope');
    expect(t.verdict).toBe('insufficient-information');
    expect(t.reason).toContain('no Service default/nope');
  });
});
