/**
 * Local delivery: what a netns does with a packet whose destination is one of
 * its own addresses (a `local` route). A plain packet is delivered; an outer
 * VXLAN datagram goes to the VXLAN socket and an outer protocol-4 packet to
 * the IPIP handler, each of which decapsulates it.
 */
import { canonicalIp } from '../net/ip';
import type { TopoNetns } from '../topology/types';
import type { TopologyIndex } from '../topology/topologyIndex';
import type { Encapsulation, PacketHeaders } from './types';

/** What local delivery does with a packet. */
export type LocalDelivery =
  | { kind: 'delivered'; address: string; detail: string }
  | { kind: 'decap-vxlan'; encap: Encapsulation }
  | { kind: 'decap-ipip'; encap: Encapsulation };

/** Decides local delivery for `packet` in `ns`; `encap` is set when the packet is an outer packet. */
export function deliverLocally(idx: TopologyIndex, ns: TopoNetns, packet: PacketHeaders, encap: Encapsulation | undefined): LocalDelivery {
  if (encap?.type === 'vxlan' && packet.protocol === 17) return { kind: 'decap-vxlan', encap };
  if (encap?.type === 'ipip' && packet.protocol === 4) return { kind: 'decap-ipip', encap };
  const address = canonicalIp(packet.dst);
  const owner = idx.ownersOf(address).find((o) => idx.netnsOf(o) === ns.id);
  const pod = idx.podOfNetns(ns.id);
  const who = pod ? `pod ${pod.id}` : ns.kind === 'host' ? `the host netns of ${ns.node}` : `netns ${ns.name} on ${ns.node}`;
  const dev = owner ? ` (${owner.name})` : '';
  return { kind: 'delivered', address, detail: `${address}${dev} is local to ${who}: delivered` };
}
