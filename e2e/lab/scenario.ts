/**
 * One full judgement of a scenario: build the lab, capture every node both
 * ways, ask the kernel every probe, ask the engine the same, compare.
 */
import path from 'node:path';
import { captureLab, LAB_OUT_DIR, writeCaptures, type NodeCapture } from './capture';
import {
  formatTable,
  judge,
  labProbes,
  predict,
  topologyFromJson,
  topologyFromTranscripts,
  type EvidenceForm,
  type JudgedRow,
  type KernelAnswer,
  type Probe,
} from './judge';
import type { Lab } from './lab';

export { requireLab } from './lab';
import { kernelHops, mapLimit, ping, traceroute } from './probe';

/** Failed probes wait out their one-second timeouts; running many at once keeps a scenario to seconds. */
const PROBE_CONCURRENCY = 16;

/** What the kernel answers for every probe. */
export async function askKernel(lab: Lab, probes: readonly Probe[]): Promise<KernelAnswer[]> {
  // Probes that exceed the pod MTU need traceroute's DF mode at the same size to hit the same MTU checks.
  const size = lab.packetSize;
  const trSize = size > 100 ? size : undefined;
  return mapLimit(probes, PROBE_CONCURRENCY, async (p) => {
    const [pingResult, tr] = await Promise.all([
      ping(p.fromNetns, p.toIp, size),
      traceroute(p.fromNetns, p.toIp, trSize === undefined ? {} : { size: trSize }),
    ]);
    return { ping: pingResult, traceroute: tr };
  });
}

/** A lab's evidence and the kernel's answers, ready to be compared with the engine. */
export interface LabRun {
  name: string;
  lab: Lab;
  captures: NodeCapture[];
  probes: Probe[];
  kernel: KernelAnswer[];
  /** Where the captures of this run were written. */
  outDir: string;
}

/** Captures every node (JSON and transcript, written under e2e/lab/out/NAME) and asks the kernel every probe. */
export async function probeLab(lab: Lab, name: string): Promise<LabRun> {
  const captures = await captureLab(lab);
  const outDir = path.join(LAB_OUT_DIR, name);
  await writeCaptures(outDir, captures);
  const probes = labProbes(lab);
  const kernel = await askKernel(lab, probes);
  return { name, lab, captures, probes, kernel, outDir };
}

/** Runs the engine on one form of the evidence and compares every probe; prints the table. */
export function judgeRun(run: LabRun, form: EvidenceForm): JudgedRow[] {
  const topology = form === 'json' ? topologyFromJson(run.captures) : topologyFromTranscripts(run.captures);
  const rows = run.probes.map((probe, i) => judge(probe, form, run.kernel[i] as KernelAnswer, predict(topology, probe, run.lab.packetSize)));
  console.log(formatTable(`${run.name} [${form}] (captures in ${run.outDir})`, rows));
  return rows;
}

/** The disagreements, spelled out for a failure message: scenario, pair, kernel output, engine output. */
export function describeDisagreements(run: LabRun, rows: readonly JudgedRow[]): string[] {
  const out: string[] = [];
  rows.forEach((r, i) => {
    if (r.agrees) return;
    const k = run.kernel[i];
    out.push(
      [
        `${run.name} [${r.form}] ${r.probe.label} (${r.probe.fromIp} → ${r.probe.toIp}, ${run.lab.packetSize} bytes)`,
        `  kernel: ping ${r.kernelPing ? 'ok' : 'failed'}; traceroute ${JSON.stringify(r.kernelHops)}`,
        `  engine: ping ${r.enginePing ? 'ok' : 'failed'}; traceroute ${JSON.stringify(r.engineHops)}; verdict ${r.verdict}: ${r.reason}`,
        `  kernel traceroute output:\n${(k?.traceroute.output ?? '').replace(/^/gm, '    ')}`,
      ].join('\n'),
    );
  });
  return out;
}

/** The kernel's answers in the comparable shape, keyed by probe label: for asserting what a lab really does. */
export function kernelSummary(run: LabRun): Map<string, { ping: boolean; hops: string[] }> {
  return new Map(run.probes.map((p, i) => [p.label, { ping: run.kernel[i]?.ping.ok ?? false, hops: kernelHops(run.kernel[i]?.traceroute.hops ?? []) }]));
}
