import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from './lab';
import { describeDisagreements, judgeRun, kernelSummary, probeLab, requireLab, type LabRun } from './scenario';

describe('host-gw lab (2 nodes, pod subnets routed via the other node, no encapsulation): the kernel judges the engine', () => {
  let lab: Lab | undefined;
  let run: LabRun;

  beforeAll(async () => {
    lab = await requireLab({ scenario: 'host-gw' });
    run = await probeLab(lab, 'host-gw');
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('the kernel delivers every probe, answering from cni0 then the remote node underlay address', () => {
    const l = run.lab;
    const summary = kernelSummary(run);
    for (const a of l.pods) {
      const gw = l.nodes.find((n) => n.name === a.node)!.gateway;
      for (const b of l.pods) {
        if (a === b) continue;
        const remote = l.nodes.find((n) => n.name === b.node)!;
        const expected = a.node === b.node ? [b.ip] : [gw, remote.underlayIp, b.ip];
        expect(summary.get(`${a.name} → ${b.name}`)).toEqual({ ping: true, hops: expected });
      }
    }
  });

  it('predicts ping and traceroute for every probe from the collector JSON snapshots', () => {
    expect(describeDisagreements(run, judgeRun(run, 'json'))).toEqual([]);
  });

  it('predicts ping and traceroute for every probe from the pasted-style transcripts', () => {
    expect(describeDisagreements(run, judgeRun(run, 'transcript'))).toEqual([]);
  });
});
