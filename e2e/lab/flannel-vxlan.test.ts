import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from './lab';
import { describeDisagreements, judgeRun, kernelSummary, probeLab, requireLab, type LabRun } from './scenario';

describe('flannel VXLAN lab (3 nodes, 2 pods each): the kernel judges the engine', () => {
  let lab: Lab | undefined;
  let run: LabRun;

  beforeAll(async () => {
    lab = await requireLab({ scenario: 'flannel-vxlan' });
    run = await probeLab(lab, 'flannel-vxlan');
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('the kernel delivers every probe, crossing nodes via cni0, the remote flannel.1 and the pod', () => {
    const l = run.lab;
    const summary = kernelSummary(run);
    for (const a of l.pods) {
      const gw = l.nodes.find((n) => n.name === a.node)!.gateway;
      for (const b of l.pods) {
        if (a === b) continue;
        const remote = l.nodes.find((n) => n.name === b.node)!;
        const expected = a.node === b.node ? [b.ip] : [gw, remote.vtepIp!, b.ip];
        expect(summary.get(`${a.name} → ${b.name}`)).toEqual({ ping: true, hops: expected });
      }
      for (const n of l.nodes) {
        if (n.name === a.node) continue;
        expect(summary.get(`${a.name} → ${n.name} ${n.underlayIp}`)).toEqual({ ping: true, hops: [gw, n.underlayIp] });
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
