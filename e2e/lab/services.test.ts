/**
 * Services in the kernel lab: kube-proxy-style rules on the flannel VXLAN
 * lab, captured by the collector (JSON) and as a transcript, traced by the
 * engine to ClusterIP:port, and judged by the kernel — traceroute -U -p PORT
 * line by line against each fork's predicted traceroute, a UDP exchange
 * with the endpoint for "delivered", a TCP connect for the Service without
 * endpoints.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execCommand, mustRun } from '../../collector/exec';
import { trace } from '../../lib/trace/trace';
import type { Trace } from '../../lib/trace/types';
import type { Topology } from '../../lib/topology/types';
import { captureLab, LAB_OUT_DIR, writeCaptures, type NodeCapture } from './capture';
import { topologyFromJson, topologyFromTranscripts } from './judge';
import { requireLab, type Lab, type LabPod } from './lab';
import { kernelHops, traceroute, trimTrailingStars } from './probe';
import { installRules, kubeProxyRules, requireIptables, startEchoServer, tcpConnect, udpProbe, type LabService, type UdpAnswer } from './services';
import path from 'node:path';

const DNS: LabService = { namespace: 'default', name: 'web', portName: 'dns', clusterIp: '10.96.0.10', port: 53, protocol: 'udp', targetPort: 5353, endpoints: [] };
/** The underlay's router: no netns answers it, as the lab's switch routes nothing. */
const ROUTER = '192.168.50.1';
const EMPTY: LabService = { namespace: 'default', name: 'checkout', portName: 'http', clusterIp: '10.96.0.20', port: 80, protocol: 'tcp', targetPort: 8080, endpoints: [] };

/** What the kernel did when the choice was forced to one endpoint. */
interface ForcedRun {
  endpoint: LabPod;
  traceroute: string[];
  tracerouteOutput: string;
  udp: UdpAnswer[];
}

describe('Services in the flannel VXLAN lab: kube-proxy rules judged by the kernel', () => {
  let lab: Lab | undefined;
  let client: LabPod;
  let local: LabPod;
  let remote: LabPod;
  let captures: NodeCapture[];
  const forced: ForcedRun[] = [];
  let unforced: UdpAnswer[] = [];
  let emptyConnect = '';

  beforeAll(async () => {
    await requireIptables();
    lab = await requireLab({ scenario: 'flannel-vxlan' });
    const pods = lab.pods;
    client = pods.find((p) => p.name === 'web-node1-a')!;
    local = pods.find((p) => p.name === 'web-node1-b')!;
    remote = pods.find((p) => p.name === 'web-node2-a')!;
    const svc: LabService = { ...DNS, endpoints: [local.ip, remote.ip] };
    const rules = kubeProxyRules([svc, EMPTY]);
    // kube-proxy writes the same Service rules on every node. Real nodes have a default route: without one a
    // ClusterIP with no rule left (the REJECTed Service) fails routing before the filter table sees it.
    for (const node of lab.nodes) {
      await mustRun(execCommand, 'ip', ['-n', node.netns, 'route', 'add', 'default', 'via', ROUTER, 'dev', 'eth0']);
      await installRules(node, rules);
    }
    captures = await captureLab(lab);
    await writeCaptures(path.join(LAB_OUT_DIR, 'services'), captures);

    const node1 = lab.nodes.find((n) => n.name === 'node1')!;
    for (const endpoint of [local, remote]) {
      await installRules(node1, kubeProxyRules([svc, EMPTY], { force: endpoint.ip }));
      // No listener yet: the last probe gets the endpoint's port unreachable, as traceroute expects.
      const tr = await traceroute(client.netns, svc.clusterIp, { udpPort: svc.port });
      const echo = await startEchoServer(endpoint.netns, svc.targetPort, endpoint.name);
      try {
        forced.push({ endpoint, traceroute: kernelHops(tr.hops), tracerouteOutput: tr.output, udp: await udpProbe(client.netns, svc.clusterIp, svc.port, 3) });
      } finally {
        echo.kill();
      }
    }
    await installRules(node1, rules);
    const echoes = await Promise.all([local, remote].map((p) => startEchoServer(p.netns, svc.targetPort, p.name)));
    try {
      unforced = await udpProbe(client.netns, svc.clusterIp, svc.port, 24);
    } finally {
      for (const e of echoes) e.kill();
    }
    emptyConnect = await tcpConnect(client.netns, EMPTY.clusterIp, EMPTY.port);
  }, 120_000);
  afterAll(async () => {
    await lab?.destroy();
  });

  it('the kernel: each endpoint answers through the ClusterIP; traceroute shows the ClusterIP on every line (1 line on the bridge, 3 across nodes)', () => {
    const [viaLocal, viaRemote] = forced;
    expect(viaLocal!.udp.map((u) => u.answer)).toEqual([local.name, local.name, local.name]);
    expect(viaRemote!.udp.map((u) => u.answer)).toEqual([remote.name, remote.name, remote.name]);
    for (const run of forced) for (const u of run.udp) expect(u.from).toBe(`${DNS.clusterIp}:${DNS.port}`);
    expect(viaLocal!.traceroute, viaLocal!.tracerouteOutput).toEqual([DNS.clusterIp]);
    expect(viaRemote!.traceroute, viaRemote!.tracerouteOutput).toEqual([DNS.clusterIp, DNS.clusterIp, DNS.clusterIp]);
    // Unforced, conntrack picks per new flow: both endpoints answer (all 24 on one side: p = 2^-23).
    expect(new Set(unforced.map((u) => u.answer))).toEqual(new Set([local.name, remote.name]));
    // kube-proxy's REJECT for a Service without endpoints: refused at once, not a timeout or a route error.
    expect(emptyConnect).toBe('ECONNREFUSED');
  });

  for (const form of ['json', 'transcript'] as const) {
    describe(`from the ${form === 'json' ? 'collector JSON snapshots' : 'pasted-style transcripts'}`, () => {
      let topology: Topology;
      let t: Trace;
      beforeAll(() => {
        topology = form === 'json' ? topologyFromJson(captures) : topologyFromTranscripts(captures);
        t = trace(topology, client.ip, `${DNS.clusterIp}`, { protocol: 17, dstPort: DNS.port });
      });

      it('captured kube-proxy’s rules on every node', () => {
        for (const c of captures) {
          const nat = c.snapshot.kubernetes?.kubeProxy?.nat ?? [];
          expect(nat.some((r) => r.includes(`-d ${DNS.clusterIp}/32`))).toBe(true);
          expect(c.snapshot.kubernetes?.kubeProxy?.mode).toBe('iptables');
          expect(c.transcript).toContain('iptables-save\n');
        }
      });

      it('forks to both endpoints, half each, and each fork’s traceroute -U -p 53 is the kernel’s, line by line', () => {
        expect(t.service?.address).toBe(`${DNS.clusterIp}:${DNS.port}/udp`);
        expect(t.verdict).toBe('delivered');
        const forks = t.forks ?? [];
        expect(forks.map((f) => `${f.endpoint.ip}:${f.endpoint.port} ${f.endpoint.probability}`).sort()).toEqual([`${local.ip}:${DNS.targetPort} 0.5`, `${remote.ip}:${DNS.targetPort} 0.5`]);
        for (const run of forced) {
          const fork = forks.find((f) => f.endpoint.ip === run.endpoint.ip)!;
          expect(fork.verdict, `${run.endpoint.name}: ${fork.reason}`).toBe('delivered');
          expect(run.udp.every((u) => u.answer === run.endpoint.name)).toBe(true);
          expect(trimTrailingStars(fork.traceroute), `kernel traceroute:\n${run.tracerouteOutput}`).toEqual(run.traceroute);
        }
        // The endpoints the kernel reached unforced are the forks' endpoints.
        const reached = new Set(unforced.map((u) => lab!.pods.find((p) => p.name === u.answer)?.ip));
        expect(reached).toEqual(new Set(forks.map((f) => f.endpoint.ip)));
      });

      it('a Service without endpoints is refused, as the kernel refused the connection', () => {
        const e = trace(topology, client.ip, EMPTY.clusterIp, { protocol: 6, dstPort: EMPTY.port });
        expect(emptyConnect).toBe('ECONNREFUSED');
        expect(e.verdict).not.toBe('delivered');
        expect(e.reason).toMatch(/no endpoints|REJECT/i);
      });
    });
  }
});
