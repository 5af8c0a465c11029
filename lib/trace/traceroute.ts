/**
 * What `traceroute` from the source would print (DOMAIN §5): every netns that
 * forwards the packet (decrements its TTL) answers the expiring probe from
 * the source address the kernel selects for the reply back to the sender.
 * Tunnels are one IP hop (the outer packet's routers are not captured and
 * the encapsulating host originates, not forwards, the outer packet);
 * bridges and veths do not touch TTL and stay invisible.
 */
import type { TopologyIndex } from '../topology/topologyIndex';
import { selectSource } from './routeLookup';
import type { Hop, Trace } from './types';

/** A netns that forwarded the traced packet, in path order. */
export interface ForwardingHop {
  netnsId: string;
  hop: Hop;
}

/** Forwarding namespaces of a trace: hops with a `routed` step that forwarded, minus those that then refused to forward. */
export function forwardingHops(trace: Pick<Trace, 'hops'>): ForwardingHop[] {
  const out: ForwardingHop[] = [];
  for (const hop of trace.hops) {
    const refused = hop.steps.some((s) => s.action === 'dropped' && (s.reason === 'ip-forward-disabled' || s.reason === 'rp-filter'));
    if (refused) continue;
    if (hop.steps.some((s) => s.action === 'routed' && s.forwarded)) out.push({ netnsId: `${hop.node}/${hop.netns}`, hop });
  }
  return out;
}

/**
 * Predicted traceroute lines: one address per forwarding netns (`*` when it
 * has no route back to the sender), then the destination when delivered, a
 * single `*` when the packet is dropped (nothing answers after that), or a
 * single `?` when it leaves the evidence (exits-network, insufficient
 * information): what answers beyond is not in the evidence, and predicting
 * silence there would be a guess.
 */
export function predictTraceroute(idx: TopologyIndex, trace: Pick<Trace, 'hops' | 'verdict' | 'from' | 'to'>): string[] {
  const out: string[] = [];
  for (const f of forwardingHops(trace)) {
    const ns = idx.netns(f.netnsId);
    const sel = ns ? selectSource(idx, ns, trace.from.ip) : null;
    out.push(sel ? sel.ip : '*');
  }
  out.push(trace.verdict === 'delivered' ? trace.to.ip : trace.verdict === 'exits-network' || trace.verdict === 'insufficient-information' ? '?' : '*');
  return out;
}
