/**
 * A trace as a person reads it in a terminal: the verdict first, then one
 * block per hop (`node / pod-or-host / interface`) with its steps, then what
 * traceroute would print, then the warnings that qualify the answer.
 */
import type { Encapsulation, Hop, PacketHeaders, Step, Trace } from '../trace/types';

/** Extra lines the caller wants under the trace (reader warnings, with file and line). */
export interface TraceTextOptions {
  readerWarnings?: readonly string[];
}

/** `vxlan vni 1 30.0.1.160 → 30.0.1.161 udp/8472`, `ipip 192.168.50.11 → 192.168.50.12`. */
export function formatEncap(e: Encapsulation): string {
  switch (e.type) {
    case 'vxlan': {
      const vni = e.vni === undefined ? '' : ` vni ${e.vni}`;
      const port = e.dstPort === undefined ? '' : ` udp/${e.dstPort}`;
      return `vxlan${vni} ${e.outerSrc} → ${e.outerDst}${port}`;
    }
    case 'ipip':
      return `ipip ${e.outerSrc} → ${e.outerDst}`;
    default: {
      const never: never = e.type;
      return String(never);
    }
  }
}

function protocolName(p: number): string {
  switch (p) {
    case 1:
      return 'icmp';
    case 4:
      return 'ipip';
    case 6:
      return 'tcp';
    case 17:
      return 'udp';
    default:
      return `proto ${p}`;
  }
}

function formatPacket(p: PacketHeaders): string {
  const port = p.dstPort === undefined ? '' : `:${p.dstPort}`;
  return `${p.src} → ${p.dst}${port} ${protocolName(p.protocol)} ttl ${p.ttl} ${p.length} bytes`;
}

/** The verdict line: what became of the packet, in one sentence. */
export function formatVerdict(trace: Trace): string {
  switch (trace.verdict) {
    case 'delivered':
    case 'loop':
      return `${trace.verdict}: ${trace.reason}`;
    case 'dropped':
      return `dropped${trace.dropReason ? ` (${trace.dropReason})` : ''}: ${trace.reason}`;
    case 'insufficient-information':
      return `insufficient-information: ${trace.reason}`;
    case 'exits-network': {
      const x = trace.exit;
      if (!x) return `exits-network: ${trace.reason}`;
      const towards = x.nextHop ?? x.towards;
      let tail: string;
      if (x.uncoveredNode !== undefined) {
        const named = x.uncoveredNode !== towards ? ` (node ${x.uncoveredNode})` : '';
        tail = `${named}, a node the evidence does not cover`;
      } else {
        const also = x.towards !== towards ? ` (${x.towards})` : '';
        tail = `${also}, which the evidence does not cover`;
      }
      return `exits-network: leaves ${x.node} by ${x.interface} towards ${towards}${tail}`;
    }
    default: {
      const never: never = trace.verdict;
      return String(never);
    }
  }
}

/** One step as a line: a fixed-width label, then what it did. */
export function formatStep(step: Step): string {
  const mark = step.outcome === 'dropped' ? '✗ ' : step.outcome === 'unknown' ? '? ' : '';
  const [label, text] = stepParts(step);
  const line = `${mark}${label.padEnd(11)} ${text}`.trimEnd();
  return step.outcome === 'ok' || !step.detail || text.includes(step.detail) ? line : `${line}\n${' '.repeat(12)}${step.detail}`;
}

function stepParts(step: Step): [string, string] {
  switch (step.action) {
    case 'originated':
      return ['originated', formatPacket(step.packet)];
    case 'received':
      return ['received', `on ${step.interface}: ${formatPacket(step.packet)}`];
    case 'veth-crossed':
      return ['veth', `to ${step.peer} (${step.evidence})`];
    case 'routed': {
      const table = step.table === 'main' || step.route.includes(`table ${step.table}`) ? '' : ` [table ${step.table}]`;
      // ip rule separates the priority with a tab; on one line of text a space reads the same.
      const rule = step.rule ? ` [rule ${step.rule.replace(/\t/g, ' ')}]` : '';
      const via = step.nextHop ? ` → next hop ${step.nextHop}` : '';
      const out = step.outInterface ? ` out ${step.outInterface}` : '';
      const fwd = step.forwarded ? ', forwarded' : '';
      return ['route', `${step.route}${table}${rule}${via}${out}${fwd}`];
    }
    case 'neighbor-resolved':
      return ['neighbour', `${step.ip} is ${step.mac} (${step.entry || step.detail})`];
    case 'bridged': {
      const where = step.toHost ? 'up to the host stack' : step.outPort ? `out port ${step.outPort}` : 'flooded';
      const entry = step.entry ? ` (${step.entry})` : '';
      return ['bridge', `${step.bridge} ${where}${entry}`];
    }
    case 'fdb-resolved':
      return ['fdb', `${step.mac} → ${step.remote}${step.entry ? ` (${step.entry})` : ''}`];
    case 'encapsulated':
      return ['encap', `${formatEncap(step.encap)}, +${step.encap.overhead} bytes`];
    case 'decapsulated':
      return ['decap', `${formatEncap(step.encap)} → inner ${step.inner.src} → ${step.inner.dst}`];
    case 'transmitted':
      return ['out', `${step.interface}${step.mtu === undefined ? '' : ` mtu ${step.mtu}`}`];
    case 'delivered':
      return ['delivered', `to ${step.address}`];
    case 'exited':
      return ['exits', `towards ${step.towards}${step.nextHop && step.nextHop !== step.towards ? ` via ${step.nextHop}` : ''}`];
    case 'dnat': {
      const to = step.translated ?? step.endpoints.map((e) => `${e.ip}${e.port !== undefined ? `:${e.port}` : ''}`).join(' | ');
      const masq = step.masquerade !== undefined ? ', source masqueraded (KUBE-MARK-MASQ)' : '';
      return ['dnat', `${step.hook} ${step.service} ${step.original} → ${to === '' ? '(no endpoint)' : to}${masq} [${step.rule}]`];
    }
    case 'dropped':
      return ['dropped', `${step.reason}: ${step.detail}`];
    case 'insufficient-information':
      return ['unknown', `missing ${step.missing}: ${step.detail}`];
    default: {
      const never: never = step;
      return ['?', JSON.stringify(never)];
    }
  }
}

/** `node / pod-or-host / interface`. */
export function formatHopTitle(hop: Hop): string {
  const where = hop.pod ?? (hop.netns === 'host' ? 'host' : `netns ${hop.netns}`);
  return `${hop.node} / ${where} / ${hop.interface}`;
}

/** `traceroute: 1 10.244.1.1  2 10.244.2.0  3 10.244.2.2`. */
export function formatTraceroute(addresses: readonly string[]): string {
  if (addresses.length === 0) return 'traceroute: (no hop answers)';
  return `traceroute: ${addresses.map((a, i) => `${i + 1} ${a === '?' ? '? (beyond the evidence)' : a}`).join('  ')}`;
}

function endpointText(e: Trace['from']): string {
  const ip = e.ip || e.input;
  return e.pod ? `${ip} (${e.pod})` : ip;
}

function hopLines(hops: readonly Hop[], from: number, indent: string, lines: string[]): void {
  for (let i = from; i < hops.length; i++) {
    const hop = hops[i] as Hop;
    lines.push('');
    lines.push(`${indent}${i + 1}. ${formatHopTitle(hop)}`);
    if (hop.encap) lines.push(`${indent}   carrying ${formatEncap(hop.encap)}`);
    for (const step of hop.steps) {
      for (const l of formatStep(step).split('\n')) lines.push(`${indent}   ${l}`);
    }
  }
}

/** The whole trace as text, ending with a newline. */
export function formatTrace(trace: Trace, options: TraceTextOptions = {}): string {
  const lines: string[] = [formatVerdict(trace)];
  // An endpoint that did not resolve has no IP; show what the user typed.
  const from = endpointText(trace.from);
  const to = endpointText(trace.to);
  lines.push(`  from ${from} to ${to}${trace.service ? ` (Service ${trace.service.name}, ${trace.service.address})` : ''}, ${trace.size} bytes`);
  hopLines(trace.hops, 0, '', lines);
  const forks = trace.forks ?? [];
  forks.forEach((f, k) => {
    const e = f.endpoint;
    lines.push('');
    lines.push(
      `endpoint ${k + 1} of ${forks.length}: ${e.ip}${e.port !== undefined ? `:${e.port}` : ''}${e.pod ? ` (${e.pod}${e.node ? ` on ${e.node}` : ''})` : ''}, ${Math.round(e.probability * 1000) / 10}% of new connections`,
    );
    lines.push(`  ${formatVerdict({ ...trace, verdict: f.verdict, reason: f.reason, ...(f.dropReason ? { dropReason: f.dropReason } : {}), ...(f.exit ? { exit: f.exit } : { exit: undefined }) })}`);
    // The hops before the DNAT are the trace's own; the fork repeats the DNAT hop with its endpoint.
    hopLines(f.hops, Math.max(0, trace.hops.length - 1), '  ', lines);
    lines.push('');
    lines.push(`  ${formatTraceroute(f.traceroute)}`);
  });
  lines.push('');
  if (forks.length > 0) {
    lines.push(`${formatTraceroute(trace.traceroute)}${forks.length > 1 ? ' … then per endpoint, above (each probe is a new connection and may be DNATed to another endpoint)' : ''}`);
    lines.push(
      `  (a probe kube-proxy rewrites: traceroute -T -p PORT for TCP, -U -p PORT for UDP; plain traceroute's UDP ports 33434+ and ping match no Service rule)`,
    );
  } else lines.push(formatTraceroute(trace.traceroute));
  const warnings = [...trace.warnings, ...(options.readerWarnings ?? [])];
  if (warnings.length > 0) {
    lines.push('');
    lines.push('warnings:');
    for (const w of warnings) lines.push(`  - ${w}`);
  }
  return `${lines.join('\n')}\n`;
}
