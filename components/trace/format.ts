/**
 * Words and short strings for the trace view: packet headers as a person
 * reads them, drop reasons in plain language, the verdict headline, and the
 * shareable link. Pure: no React, so the logic stays testable and shared.
 */
import type { TraceResponse } from '@/lib/api/types';
import type { Disposition, DropReason, Encapsulation, Hop, PacketHeaders, Step, Trace } from '@/lib/trace/types';

const PROTOCOLS: Record<number, string> = { 1: 'ICMP', 4: 'IP-in-IP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6' };

/** `ICMP`, `UDP`, or `proto 47` for the ones we have no name for. */
export function protocolName(n: number): string {
  return PROTOCOLS[n] ?? `proto ${n}`;
}

/** `10.244.1.2 → 10.244.2.2` with ports when the packet has them. */
export function addressPair(p: PacketHeaders): string {
  const src = p.srcPort !== undefined ? `${p.src}:${p.srcPort}` : p.src;
  const dst = p.dstPort !== undefined ? `${p.dst}:${p.dstPort}` : p.dst;
  return `${src} → ${dst}`;
}

/** One line of a packet: protocol, addresses, TTL, length. */
export function packetLine(p: PacketHeaders): string {
  return `${protocolName(p.protocol)} ${addressPair(p)} · TTL ${p.ttl} · ${p.length} bytes`;
}

/** `VXLAN VNI 1, UDP 8472, +50 bytes` / `IP-in-IP, +20 bytes`. */
export function encapLine(e: Encapsulation): string {
  const parts: string[] = [e.type === 'vxlan' ? 'VXLAN' : 'IP-in-IP'];
  if (e.vni !== undefined) parts.push(`VNI ${e.vni}`);
  parts.push(`outer ${e.outerSrc} → ${e.outerDst}${e.dstPort !== undefined ? `, UDP ${e.dstPort}` : ''}`);
  parts.push(`+${e.overhead} bytes`);
  return parts.join(' · ');
}

/** A drop reason as a short phrase. Exhaustive: a new reason must be worded here. */
export const DROP_REASONS: Record<DropReason, string> = {
  'no-route': 'no route to the destination',
  'blackhole-route': 'a blackhole route discards it',
  'unreachable-route': 'an unreachable route rejects it',
  'prohibit-route': 'a prohibit route rejects it',
  'rule-action': 'a policy rule rejects it',
  'ip-forward-disabled': 'IP forwarding is disabled (net.ipv4.ip_forward=0)',
  'link-down': 'the outgoing link is down',
  'mtu-exceeded': 'the packet is larger than the MTU and may not be fragmented',
  'neighbor-unresolved': 'the next hop’s MAC address cannot be resolved',
  'fdb-missing': 'no FDB entry names the remote VTEP',
  'vni-mismatch': 'the VXLAN VNI does not match the receiving device',
  'no-vtep': 'no VXLAN device receives it',
  'rp-filter': 'reverse-path filtering (rp_filter) drops it',
  'ttl-exceeded': 'the TTL ran out',
  'not-addressed-here': 'the packet is not addressed to this host',
  'service-no-endpoints': 'the Service has no ready endpoints (kube-proxy rejects it)',
};

/** Where a hop is: `node1 · pod default/web-a · eth0` or `node1 · host · cni0`. */
export function hopPlace(h: Hop): string {
  const ns = h.pod !== null ? `pod ${h.pod}` : h.netns === 'host' ? 'host' : `netns ${h.netns}`;
  return `${h.node} · ${ns} · ${h.interface}`;
}

/** The step a trace ended on (the last step of the last hop). */
export function lastStep(t: Trace): { hop: Hop; step: Step } | undefined {
  const hop = t.hops[t.hops.length - 1];
  const step = hop?.steps[hop.steps.length - 1];
  return hop && step ? { hop, step } : undefined;
}

/** The verdict as a headline and a banner tone. */
export function verdictHeadline(t: Trace): { title: string; tone: 'success' | 'danger' | 'warning' | 'info' } {
  const v: Disposition = t.verdict;
  if (t.forks !== undefined && t.service !== undefined) {
    // The verdict of a Service summarises its endpoints; where each path ends is in its own timeline.
    const ok = t.forks.filter((f) => f.verdict === 'delivered' || f.verdict === 'exits-network').length;
    const tone = v === 'delivered' ? 'success' : v === 'exits-network' ? 'info' : v === 'insufficient-information' ? 'warning' : 'danger';
    return { tone, title: `Service ${t.service.name}: ${ok} of ${t.forks.length} endpoint${t.forks.length === 1 ? '' : 's'} reached` };
  }
  const end = lastStep(t);
  const to = t.to.pod ?? t.to.ip;
  switch (v) {
    case 'delivered':
      return { tone: 'success', title: `Delivered to ${to}${t.to.node ? ` on ${t.to.node}` : ''}` };
    case 'dropped': {
      const why = t.dropReason ? DROP_REASONS[t.dropReason] : 'dropped';
      return { tone: 'danger', title: `Dropped${end ? ` at ${hopPlace(end.hop)}` : ''}: ${why}` };
    }
    case 'exits-network': {
      const x = t.exit;
      if (!x) return { tone: 'info', title: 'Leaves the captured network' };
      const towards = x.uncoveredNode ? `node ${x.uncoveredNode}, which was not captured` : x.towards;
      return { tone: 'info', title: `Leaves the captured network at ${x.node} by ${x.interface}${x.nextHop ? ` via ${x.nextHop}` : ''}, towards ${towards}` };
    }
    case 'insufficient-information': {
      const missing = end?.step.action === 'insufficient-information' ? end.step.missing : undefined;
      return { tone: 'warning', title: `Not enough evidence to go on${missing ? `: missing ${missing}` : ''}` };
    }
    case 'loop':
      return { tone: 'danger', title: `Loops${end ? ` back to ${hopPlace(end.hop)}` : ''}` };
    default: {
      const never: never = v;
      return { tone: 'warning', title: String(never) };
    }
  }
}

/** Query of the trace page, as the URL carries it. */
export interface TraceQuery {
  cluster: string;
  from: string;
  to: string;
  at?: number;
  size?: number;
}

/** Reads the trace page's query; absent or malformed numbers are left out. */
export function parseTraceQuery(params: URLSearchParams): Partial<TraceQuery> {
  const num = (name: string): number | undefined => {
    const raw = params.get(name);
    return raw !== null && /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
  };
  const q: Partial<TraceQuery> = {};
  const cluster = params.get('cluster');
  const from = params.get('from');
  const to = params.get('to');
  if (cluster) q.cluster = cluster;
  if (from) q.from = from;
  if (to) q.to = to;
  const at = num('at');
  const size = num('size');
  if (at !== undefined) q.at = at;
  if (size !== undefined) q.size = size;
  return q;
}

/** `/trace?cluster=…&from=…&to=…[&size=…][&at=…]`. */
export function traceHref(q: TraceQuery): string {
  const p = new URLSearchParams({ cluster: q.cluster, from: q.from, to: q.to });
  if (q.size !== undefined) p.set('size', String(q.size));
  if (q.at !== undefined) p.set('at', String(q.at));
  return `/trace?${p.toString()}`;
}

/** The link that reproduces this answer later: the query pinned to the response's revision. */
export function pinnedHref(q: TraceQuery, res: TraceResponse): string {
  return traceHref({ ...q, at: res.revision });
}
