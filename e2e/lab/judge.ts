/**
 * The kernel judges the engine: for each probe (a pod to an address), what
 * ping and traceroute really did is compared with what the engine predicts
 * from the captured evidence.
 *
 * ping and traceroute need the answer to come back, so the engine's one-way
 * trace is not the whole prediction: ping succeeds iff the request is
 * delivered AND the reply (destination → source) is; each traceroute line
 * appears iff that hop is on the forward path AND its ICMP answer can reach
 * the source. The engine answers both questions; the lab only combines them.
 */
import { readEvidence } from '../../lib/read/readEvidence';
import type { Snapshot } from '../../lib/snapshot/schema';
import { validateSnapshot } from '../../lib/snapshot/validate';
import { buildTopology } from '../../lib/topology/build';
import type { Topology } from '../../lib/topology/types';
import { trace } from '../../lib/trace/trace';
import type { Trace } from '../../lib/trace/types';
import type { NodeCapture } from './capture';
import type { Lab } from './lab';
import { kernelHops, trimTrailingStars, type PingResult, type TracerouteResult } from './probe';

/** Which form of the evidence the engine read. */
export type EvidenceForm = 'json' | 'transcript';

/** One question asked of both the kernel and the engine. */
export interface Probe {
  /** `web-node1-a → web-node2-b`. */
  label: string;
  fromNetns: string;
  fromIp: string;
  toIp: string;
}

/** What the kernel said. */
export interface KernelAnswer {
  ping: PingResult;
  traceroute: TracerouteResult;
}

/** What the engine predicts ping and traceroute will show. */
export interface EnginePrediction {
  forward: Trace;
  /** The destination's reply, traced back to the source. */
  reply: Trace;
  pingOk: boolean;
  /** The engine's traceroute with hops whose answer cannot come back replaced by `*`. */
  traceroute: string[];
}

/** One compared probe. */
export interface JudgedRow {
  probe: Probe;
  form: EvidenceForm;
  kernelPing: boolean;
  enginePing: boolean;
  kernelHops: string[];
  engineHops: string[];
  verdict: string;
  reason: string;
  agrees: boolean;
}

/** Every ordered pod pair, and each pod to every other node's underlay address. */
export function labProbes(lab: Lab): Probe[] {
  const probes: Probe[] = [];
  for (const a of lab.pods) {
    for (const b of lab.pods) {
      if (a === b) continue;
      probes.push({ label: `${a.name} → ${b.name}`, fromNetns: a.netns, fromIp: a.ip, toIp: b.ip });
    }
    for (const n of lab.nodes) {
      if (n.name === a.node) continue;
      probes.push({ label: `${a.name} → ${n.name} ${n.underlayIp}`, fromNetns: a.netns, fromIp: a.ip, toIp: n.underlayIp });
    }
  }
  return probes;
}

/** A topology from the collector's JSON, through the same validation an upload gets. */
export function topologyFromJson(captures: readonly NodeCapture[]): Topology {
  const snapshots: Snapshot[] = captures.map((c) => {
    const v = validateSnapshot(JSON.parse(JSON.stringify(c.snapshot)) as unknown);
    if (!v.ok) throw new Error(`${c.node}.json does not validate: ${v.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    return v.snapshot;
  });
  return buildTopology(snapshots);
}

/** A topology from the transcripts, read as a user's pasted files would be. */
export function topologyFromTranscripts(captures: readonly NodeCapture[]): Topology {
  const snapshots: Snapshot[] = [];
  for (const c of captures) {
    const read = readEvidence(c.transcript, { nodeName: c.node, fileName: `${c.node}.txt` });
    if (read.error || read.snapshots.length === 0) {
      throw new Error(`${c.node}.txt: reader found nothing usable: ${read.error?.message ?? 'no snapshot'}`);
    }
    snapshots.push(...read.snapshots);
  }
  return buildTopology(snapshots);
}

/** Combines the forward trace with the return paths of every answer. */
export function predict(topology: Topology, probe: Probe, size: number): EnginePrediction {
  const forward = trace(topology, probe.fromIp, probe.toIp, { size });
  // Replies are small and, from the kernel's ICMP socket, carry no DF: their size is not the probe's.
  const reply = trace(topology, probe.toIp, probe.fromIp);
  const reaches = new Map<string, boolean>();
  const answerReaches = (addr: string) => {
    let ok = reaches.get(addr);
    if (ok === undefined) {
      ok = trace(topology, addr, probe.fromIp).verdict === 'delivered';
      reaches.set(addr, ok);
    }
    return ok;
  };
  const traceroute = forward.traceroute.map((addr) => (addr === '*' || !answerReaches(addr) ? '*' : addr));
  return { forward, reply, pingOk: forward.verdict === 'delivered' && reply.verdict === 'delivered', traceroute };
}

/** Compares one probe. */
export function judge(probe: Probe, form: EvidenceForm, kernel: KernelAnswer, engine: EnginePrediction): JudgedRow {
  const k = kernelHops(kernel.traceroute.hops);
  const e = trimTrailingStars(engine.traceroute);
  const sameHops = k.length === e.length && k.every((x, i) => x === e[i]);
  return {
    probe,
    form,
    kernelPing: kernel.ping.ok,
    enginePing: engine.pingOk,
    kernelHops: k,
    engineHops: e,
    verdict: engine.forward.verdict,
    reason: engine.forward.reason,
    agrees: kernel.ping.ok === engine.pingOk && sameHops,
  };
}

/** A small fixed-width table: probe, kernel, engine. */
export function formatTable(title: string, rows: readonly JudgedRow[]): string {
  const show = (ok: boolean, hops: readonly string[]) => `${ok ? 'ok  ' : 'FAIL'} ${hops.join(' ') || '-'}`;
  const lines = rows.map((r) => {
    const mark = r.agrees ? ' ' : '✗';
    return `${mark} ${r.probe.label.padEnd(34)} kernel: ${show(r.kernelPing, r.kernelHops).padEnd(44)} engine: ${show(r.enginePing, r.engineHops)} (${r.verdict})`;
  });
  return [`── ${title}`, ...lines].join('\n');
}
