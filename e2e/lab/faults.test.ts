import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Probe } from './judge';
import type { FaultName, Lab } from './lab';
import { describeDisagreements, judgeRun, kernelSummary, probeLab, requireLab, type LabRun } from './scenario';

/**
 * Which probes a fault must break, worked out from the datapath: a probe
 * needs its request and its reply, and each may cross a VXLAN link between
 * two nodes and be forwarded by the nodes at both ends.
 */
function kernelShouldDeliver(lab: Lab, fault: FaultName, probe: Probe): boolean {
  const src = lab.pods.find((p) => p.ip === probe.fromIp)!;
  const dstPod = lab.pods.find((p) => p.ip === probe.toIp);
  const srcNode = src.node;
  const dstNode = dstPod?.node ?? lab.nodes.find((n) => n.underlayIp === probe.toIp)!.name;
  const crossNode = srcNode !== dstNode;
  // Request: VXLAN only towards a remote pod (node addresses are reached over eth0). Reply: always VXLAN back to a pod.
  const requestVxlan = crossNode && dstPod !== undefined ? [srcNode, dstNode] : null;
  const replyVxlan = crossNode ? [dstNode, srcNode] : null;
  const forwarders = new Set<string>();
  if (crossNode) {
    forwarders.add(srcNode);
    if (dstPod) forwarders.add(dstNode);
  }
  const broken = (link: string[] | null, from: string, to: string) => link !== null && link[0] === from && link[1] === to;
  switch (fault) {
    case 'fdb-missing':
      return !broken(requestVxlan, 'node1', 'node3') && !broken(replyVxlan, 'node1', 'node3');
    case 'fdb-stale':
      return !broken(requestVxlan, 'node1', 'node2') && !broken(replyVxlan, 'node1', 'node2');
    case 'ip-forward-off':
      return !forwarders.has('node2');
    case 'veth-down': {
      const isolated = lab.pods.find((p) => p.node === 'node1')!;
      return src !== isolated && dstPod !== isolated;
    }
    case 'vtep-mtu':
      // Only the DF request is too big; replies come from ICMP sockets without DF and get fragmented.
      return !(requestVxlan && requestVxlan[0] === 'node1');
    default: {
      const never: never = fault;
      throw new Error(`unknown fault ${String(never)}`);
    }
  }
}

const FAULTS: { fault: FaultName; title: string }[] = [
  { fault: 'fdb-missing', title: 'node1 lacks the FDB entry for node3' },
  { fault: 'fdb-stale', title: "node1's FDB entry for node2's VTEP points at node3" },
  { fault: 'ip-forward-off', title: 'node2 has ip_forward=0' },
  { fault: 'veth-down', title: "a pod's host veth is down" },
  { fault: 'vtep-mtu', title: 'flannel.1 on node1 has MTU 1400 and pods send 1450-byte packets' },
];

describe.each(FAULTS)('flannel VXLAN lab with a fault: $title', ({ fault }) => {
  let lab: Lab | undefined;
  let run: LabRun;

  beforeAll(async () => {
    lab = await requireLab({ scenario: 'flannel-vxlan', fault });
    run = await probeLab(lab, `fault-${fault}`);
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('breaks exactly the probes whose request or reply crosses the fault (kernel)', () => {
    const summary = kernelSummary(run);
    const actual = run.probes.map((p) => `${p.label}: ${summary.get(p.label)?.ping ? 'ok' : 'fails'}`);
    const expected = run.probes.map((p) => `${p.label}: ${kernelShouldDeliver(run.lab, fault, p) ? 'ok' : 'fails'}`);
    expect(actual).toEqual(expected);
    expect(expected.some((e) => e.endsWith('fails'))).toBe(true);
  });

  it('predicts ping and traceroute for every probe from the collector JSON snapshots', () => {
    expect(describeDisagreements(run, judgeRun(run, 'json'))).toEqual([]);
  });

  it('predicts ping and traceroute for every probe from the pasted-style transcripts', () => {
    expect(describeDisagreements(run, judgeRun(run, 'transcript'))).toEqual([]);
  });
});
