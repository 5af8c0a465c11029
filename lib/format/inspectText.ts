/**
 * `podnet inspect` as text: what each input gave (used and skipped blocks
 * with line numbers, warnings), then what the topology holds — nodes, pods,
 * veth pairs, bridges, tunnels, cross-node links — and what it doubts.
 */
import type { ReadResult } from '../read/types';
import type { TopoEdgeKind, TopoInterface, Topology } from '../topology/types';

/** One input file and what reading it gave. */
export interface FileReading {
  /** The path as the user gave it. */
  file: string;
  /** Node name the user forced with `NODE=FILE`. */
  nodeName?: string;
  result: ReadResult;
}

/** A veth pair (or a lone end) as the report lists it. */
export interface VethPairView {
  a: string;
  b?: string;
  state: 'paired' | 'inferred' | 'unknown';
  evidence: string;
}

/** Kinds of edge that join two different nodes. */
export const CROSS_NODE_EDGE_KINDS: ReadonlySet<TopoEdgeKind> = new Set<TopoEdgeKind>(['vxlan', 'ipip', 'host-route', 'l2-segment']);

function lineRange(start: number, end: number): string {
  return start === end ? `line ${start}` : `lines ${start}-${end}`;
}

/** `file:line: message`, the form editors and terminals make clickable. */
export function formatReaderWarning(file: string, w: { line?: number; message: string }): string {
  return w.line === undefined ? `${file}: ${w.message}` : `${file}:${w.line}: ${w.message}`;
}

/** Every veth end once: pairs collapsed to one row, lone ends with their state. */
export function vethPairs(topology: Topology): VethPairView[] {
  const seen = new Set<string>();
  const out: VethPairView[] = [];
  const isVeth = (i: TopoInterface): boolean => i.kind === 'veth' || i.role === 'pod-veth' || i.role === 'host-veth' || i.peer !== undefined;
  // Host side first, so rows read "host veth ↔ pod eth0".
  const ordered = [...topology.interfaces.filter(isVeth)].sort((x, y) => rank(x) - rank(y));
  for (const i of ordered) {
    if (seen.has(i.id)) continue;
    seen.add(i.id);
    const peerId = i.peer?.id;
    if (peerId !== undefined) seen.add(peerId);
    out.push({
      a: i.id,
      ...(peerId !== undefined ? { b: peerId } : {}),
      state: i.peer?.state ?? 'unknown',
      evidence: i.peer?.evidence ?? 'no peer data in the evidence',
    });
  }
  return out;
}

function rank(i: TopoInterface): number {
  return i.role === 'host-veth' ? 0 : i.role === 'pod-veth' ? 2 : 1;
}

function addressList(i: TopoInterface): string {
  const v4 = i.addresses.filter((a) => a.scope !== 'link');
  return v4.map((a) => `${a.ip}/${a.prefixlen}${a.inferred ? ' (inferred)' : ''}`).join(', ');
}

function nodeOf(id: string): string {
  const slash = id.indexOf('/');
  return slash < 0 ? id : id.slice(0, slash);
}

/** The inspect report as text, ending with a newline. */
export function formatInspect(files: readonly FileReading[], topology: Topology): string {
  const out: string[] = [];
  for (const f of files) {
    const r = f.result;
    const nodes = r.snapshots.map((s) => s.node.name);
    out.push(`== ${f.file}${f.nodeName ? ` (as node ${f.nodeName})` : ''}`);
    out.push(`  ${nodes.length === 0 ? 'no snapshot' : `node${nodes.length > 1 ? 's' : ''} ${nodes.join(', ')}`}`);
    if (r.error) out.push(`  error: ${formatReaderWarning(f.file, r.error)}`);
    if (r.used.length > 0) {
      out.push('  used:');
      for (const u of r.used) {
        out.push(`    ${lineRange(u.startLine, u.endLine).padEnd(14)} ${u.command}  [${u.context}]  ${u.summary}`);
      }
    }
    if (r.skipped.length > 0) {
      out.push('  skipped:');
      for (const s of r.skipped) {
        out.push(`    ${lineRange(s.startLine, s.endLine).padEnd(14)} ${s.reason}: ${JSON.stringify(s.text)}`);
      }
    }
    if (r.warnings.length > 0) {
      out.push('  warnings:');
      for (const w of r.warnings) out.push(`    ${w.line === undefined ? '' : `line ${w.line}: `}${w.message}`);
    }
    out.push('');
  }

  out.push(`nodes (${topology.nodes.length}):`);
  for (const n of topology.nodes) {
    const parts = [n.name, n.captured ? 'captured' : 'not captured (only referred to)'];
    if (n.addresses.length > 0) parts.push(`addresses ${n.addresses.join(', ')}`);
    if (n.podCidrs.length > 0) parts.push(`podCIDRs ${n.podCidrs.join(', ')}`);
    if (n.underlay.length > 0) parts.push(`underlay ${n.underlay.map((u) => u.slice(u.lastIndexOf('/') + 1)).join(', ')}`);
    if (n.ipForward !== undefined) parts.push(`ip_forward ${n.ipForward ? 1 : 0}`);
    if (n.datapath !== 'route-based') parts.push(`datapath ${n.datapath} (route-based trace not faithful)`);
    out.push(`  ${parts.join('  ')}`);
  }

  out.push('', `pods (${topology.pods.length}):`);
  for (const p of topology.pods) {
    const parts = [p.id, p.ips.length > 0 ? p.ips.join(', ') : 'no IP known', `node ${p.node ?? 'unknown'}`];
    if (p.hostNetwork) parts.push('hostNetwork');
    parts.push(p.netns ? `netns ${p.netns}` : 'netns not captured');
    out.push(`  ${parts.join('  ')}`);
  }

  // Namespaces pasted without kubectl facts (`ip netns exec cni-…`, `nsenter -t PID`) are senders a
  // user can still trace from; say how to name them.
  const podNetns = new Set(topology.pods.map((p) => p.netns).filter((n): n is string => n !== undefined));
  const others = topology.namespaces.filter((ns) => ns.kind !== 'host' && ns.pod === undefined && !podNetns.has(ns.id));
  if (others.length > 0) {
    out.push('', `namespaces without a pod name (${others.length}; trace from them as NODE/NETNS or by address):`);
    const byId = new Map(topology.interfaces.map((i) => [i.id, i] as const));
    for (const ns of others) {
      const addrs = ns.interfaces
        .map((id) => byId.get(id))
        .flatMap((i) => (i && i.name !== 'lo' ? i.addresses.filter((a) => a.family === 4 && a.scope !== 'host').map((a) => a.ip) : []));
      out.push(`  ${ns.id}  ${addrs.length > 0 ? addrs.join(', ') : 'no IPv4 address known'}`);
    }
  }

  const pairs = vethPairs(topology);
  out.push('', `veth pairs (${pairs.length}):`);
  for (const v of pairs) out.push(`  ${v.a} ↔ ${v.b ?? '?'}  ${v.state} (${v.evidence})`);

  const bridges = topology.interfaces.filter((i) => i.kind === 'bridge' || i.role === 'bridge');
  out.push('', `bridges (${bridges.length}):`);
  for (const b of bridges) {
    const ports = topology.interfaces.filter((i) => i.master === b.id).map((i) => i.name);
    const addrs = addressList(b);
    out.push(`  ${b.id}${addrs ? `  ${addrs}` : ''}${b.mtu === undefined ? '' : `  mtu ${b.mtu}`}  ports (${ports.length}): ${ports.join(', ') || 'none seen'}`);
  }

  const tunnels = topology.interfaces.filter((i) => i.vxlan !== undefined || i.tunnel !== undefined || i.role === 'vtep' || i.role === 'ip-tunnel');
  out.push('', `tunnels (${tunnels.length}):`);
  for (const t of tunnels) {
    const parts = [t.id];
    if (t.vxlan) {
      const x = t.vxlan;
      parts.push(`vxlan vni ${x.id}`, `local ${x.local ?? '?'}`, `dev ${x.dev ?? '?'}`, `port ${x.port ?? '?'}`);
    } else if (t.tunnel) {
      const x = t.tunnel;
      parts.push(x.mode, `local ${x.local ?? 'any'}`, `remote ${x.remote ?? 'any'}`);
      if (x.dev) parts.push(`dev ${x.dev}`);
    } else {
      parts.push(t.kind ?? t.role);
    }
    const addrs = addressList(t);
    if (addrs) parts.push(`address ${addrs}`);
    if (t.mtu !== undefined) parts.push(`mtu ${t.mtu}`);
    out.push(`  ${parts.join('  ')}`);
  }

  const links = topology.edges.filter((e) => CROSS_NODE_EDGE_KINDS.has(e.kind) || nodeOf(e.source) !== nodeOf(e.target));
  out.push('', `cross-node links (${links.length}):`);
  for (const e of links) {
    const parts = [e.kind, `${e.source} → ${e.target}`];
    if (e.vni !== undefined) parts.push(`vni ${e.vni}`);
    if (e.outerSrc !== undefined || e.outerDst !== undefined) parts.push(`outer ${e.outerSrc ?? '?'} → ${e.outerDst ?? '?'}`);
    if (e.dstPort !== undefined) parts.push(`udp/${e.dstPort}`);
    if (e.inferred) parts.push('inferred');
    if (e.mtuMismatch) parts.push('MTU MISMATCH');
    if (e.evidence.length > 0) parts.push(`(${e.evidence.join('; ')})`);
    out.push(`  ${parts.join('  ')}`);
  }

  const services = topology.services;
  const proxies = Object.entries(services?.kubeProxy ?? {});
  if (services !== undefined && (services.services.length > 0 || proxies.length > 0)) {
    out.push('', `services (${services.services.length}; trace to one as --to IP:PORT or --to svc/NAMESPACE/NAME[:PORT]):`);
    for (const svc of services.services) {
      const ports = (svc.ports ?? []).map((p) => `${p.port}${p.nodePort !== undefined ? `:${p.nodePort}` : ''}/${p.protocol}`).join(',');
      out.push(`  ${svc.namespace ?? 'default'}/${svc.name}  ${svc.type ?? '?'}  ${svc.clusterIp ?? 'headless'}  ${ports || 'no ports'}`);
    }
    for (const [node, kp] of proxies) {
      out.push(`  kube-proxy on ${node}: ${kp.nat.length} nat and ${kp.filter.length} filter rules${kp.mode ? `, ${kp.mode} mode` : ''}${kp.filtered ? ' (read through a filter)' : ''}`);
    }
  }

  out.push('', `topology warnings (${topology.warnings.length}):`);
  for (const w of topology.warnings) {
    const where = [w.node, w.subject].filter((x) => x !== undefined).join(' ');
    out.push(`  ${where ? `${where}: ` : ''}${w.message}`);
  }
  return `${out.join('\n')}\n`;
}
