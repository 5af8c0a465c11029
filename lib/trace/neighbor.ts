/**
 * Neighbour resolution: the MAC a netns puts on a frame for a next-hop IP.
 *
 * A usable `ip neigh` entry on the outgoing device wins. Without one, on a
 * broadcast device ARP would be answered by whichever namespace in the same
 * L2 domain owns the IP (Linux answers for any local address, arp_ignore=0)
 * or by a peer doing proxy ARP (Calico's `cali*` veths). VXLAN devices
 * without learning do not ARP across the tunnel: the CNI programs entries,
 * and a missing one means no delivery.
 */
import { sameSubnet } from '../net/ip';
import type { Neighbour } from '../snapshot/schema';
import type { TopoInterface, TopoNetns } from '../topology/types';
import type { TopologyIndex } from '../topology/topologyIndex';
import { actsAsUnderlay, isL3Device } from './device';
import { neighboursFor } from './evidenceIndex';
import { formatNeighbour } from './format';
import { lookupRoute } from './routeLookup';

/** How a next-hop IP became a MAC (or why it did not). */
export type NeighborResolution =
  /** An `ip neigh` entry gave the MAC. */
  | { kind: 'entry'; mac: string; entry: string; detail: string }
  /** No entry, but ARP would be answered by `answerer` (owner of the IP or a proxy-ARP peer). */
  | { kind: 'arp'; mac?: string; answerer: TopoInterface; detail: string }
  /** The device carries IP without link-layer addresses (tunl0, lo, wireguard). */
  | { kind: 'not-needed'; detail: string }
  /** The segment continues beyond the evidence (an underlay NIC towards an uncaptured host). */
  | { kind: 'outside'; mac?: string; entry?: string; detail: string }
  /** Resolution fails: a drop (neighbor-unresolved). */
  | { kind: 'unresolved'; detail: string }
  /** The evidence lacks what resolution needs. */
  | { kind: 'unknown'; missing: string; detail: string };

const USABLE = new Set(['PERMANENT', 'REACHABLE', 'STALE', 'DELAY', 'PROBE', 'NOARP']);
const FAILED = new Set(['FAILED', 'INCOMPLETE']);

function entryState(n: Neighbour): 'usable' | 'failed' | 'other' {
  const states = (n.state ?? []).map((s) => s.toUpperCase());
  if (states.some((s) => FAILED.has(s))) return 'failed';
  if (n.lladdr !== undefined && (states.length === 0 || states.some((s) => USABLE.has(s)))) return 'usable';
  return 'other';
}

/** Neighbour entries of a netns for an IP on a device. */
export function neighbourEntries(ns: TopoNetns, dev: string, ip: string): readonly Neighbour[] {
  return neighboursFor(ns, dev, ip);
}

/** A namespace reachable on the same L2 segment, and the interface it attaches by. */
interface L2Member {
  netnsId: string;
  attach: TopoInterface;
}

/** The L2 domain behind a veth or bridge: members whose interfaces are known, and the ends that are not. */
export function l2Domain(idx: TopologyIndex, out: TopoInterface): { members: L2Member[]; unknownEnds: string[] } {
  const members: L2Member[] = [];
  const unknownEnds: string[] = [];
  const addBridge = (bridge: TopoInterface, except: TopoInterface | undefined, includeBridge: boolean): void => {
    if (includeBridge) members.push({ netnsId: idx.netnsOf(bridge), attach: bridge });
    for (const port of idx.bridgePorts(bridge.id)) {
      if (except && port.id === except.id) continue;
      if (port.kind === 'veth' || port.role === 'host-veth') {
        const p = idx.peerOf(port);
        if (p) members.push({ netnsId: idx.netnsOf(p), attach: p });
        else unknownEnds.push(`${port.name} (veth peer not in the evidence)`);
      } else {
        unknownEnds.push(`${port.name} (a ${port.kind ?? 'non-veth'} port of ${bridge.name})`);
      }
    }
  };
  if (out.kind === 'bridge' || out.role === 'bridge') {
    addBridge(out, undefined, false);
    return { members, unknownEnds };
  }
  const peer = idx.peerOf(out);
  if (!peer) {
    unknownEnds.push(`${out.name} (veth peer not in the evidence)`);
    return { members, unknownEnds };
  }
  members.push({ netnsId: idx.netnsOf(peer), attach: peer });
  if (peer.master !== undefined) {
    const bridge = idx.iface(peer.master) ?? idx.ifaceByName(idx.netnsOf(peer), peer.master);
    if (bridge) {
      members.pop();
      addBridge(bridge, peer, true);
    } else {
      unknownEnds.push(`${peer.master} (bridge of ${peer.name}, not in the evidence)`);
    }
  }
  return { members, unknownEnds };
}

/** Calico turns proxy ARP on for every `cali*` veth even when the capture does not show the sysctl. */
function doesProxyArp(i: TopoInterface): { yes: boolean; assumed: boolean } {
  if (i.proxyArp !== undefined) return { yes: i.proxyArp, assumed: false };
  if (i.name.startsWith('cali')) return { yes: true, assumed: true };
  return { yes: false, assumed: false };
}

function ownsIp(idx: TopologyIndex, netnsId: string, ip: string): TopoInterface | undefined {
  return idx.ownersOf(ip).find((o) => idx.netnsOf(o) === netnsId);
}

function resolveInDomain(idx: TopologyIndex, ip: string, members: L2Member[]): NeighborResolution | null {
  for (const m of members) {
    const owner = ownsIp(idx, m.netnsId, ip);
    if (owner) {
      const where = owner.id === m.attach.id ? m.attach.name : `${m.attach.name} (the address is on ${owner.name})`;
      return {
        kind: 'arp',
        mac: m.attach.mac,
        answerer: m.attach,
        detail: `no neighbour entry; ARP would resolve ${ip} to ${m.attach.mac ?? 'the MAC'} of ${where} in ${m.netnsId}`,
      };
    }
  }
  for (const m of members) {
    const proxy = doesProxyArp(m.attach);
    if (!proxy.yes) continue;
    const ns = idx.netns(m.netnsId);
    if (!ns) continue;
    // proxy_arp answers when the proxy's own route to the target leaves by another device.
    const r = lookupRoute(idx, ns, { dst: ip });
    if (r.kind === 'route' && r.dev !== m.attach.name && r.route.type !== 'blackhole' && r.route.type !== 'unreachable' && r.route.type !== 'prohibit') {
      return {
        kind: 'arp',
        mac: m.attach.mac,
        answerer: m.attach,
        detail: `no neighbour entry; ${m.attach.name} answers ARP for ${ip} by proxy ARP${proxy.assumed ? ' (Calico enables proxy_arp on cali* veths; not in the evidence)' : ''} with ${m.attach.mac ?? 'its MAC'}`,
      };
    }
  }
  return null;
}

/**
 * Where an underlay frame for `ip` lands: a captured namespace that owns the
 * IP and has an interface on a subnet shared with the outgoing device. Linux
 * answers ARP for any of its addresses on any interface (arp_ignore=0), so
 * the receiving interface is the one on the shared segment, which need not
 * be the one holding the address.
 */
export function underlayOwner(idx: TopologyIndex, out: TopoInterface, ip: string): TopoInterface | undefined {
  const outNs = idx.netnsOf(out);
  const outNets = out.addresses.filter((a) => a.scope !== 'host');
  const eligible = (o: TopoInterface): boolean => actsAsUnderlay(idx, o) || !(o.kind === 'veth' || o.kind === 'bridge' || o.kind === 'vxlan' || o.kind === 'ipip' || o.kind === 'loopback');
  const onSegment = (o: TopoInterface): boolean =>
    o.addresses.some((oa) => outNets.some((n) => n.family === oa.family && sameSubnet(oa.ip, n.ip, Math.min(n.prefixlen, oa.prefixlen))));
  for (const owner of idx.ownersOf(ip)) {
    const nsId = idx.netnsOf(owner);
    if (nsId === outNs) continue;
    if (outNets.length === 0) {
      if (eligible(owner)) return owner;
      continue;
    }
    if (eligible(owner) && onSegment(owner)) return owner;
    const other = idx.interfacesOf(nsId).find((i) => i.id !== owner.id && eligible(i) && onSegment(i));
    if (other) return other;
  }
  return undefined;
}

/** Resolves `ip` to a MAC on `out`, the device a netns is about to send by. */
export function resolveNeighbor(idx: TopologyIndex, ns: TopoNetns, out: TopoInterface, ip: string): NeighborResolution {
  if (isL3Device(out)) return { kind: 'not-needed', detail: `${out.name} is a layer-3 device: no neighbour resolution` };
  const entries = neighbourEntries(ns, out.name, ip);
  const usable = entries.find((e) => entryState(e) === 'usable');
  const failed = entries.find((e) => entryState(e) === 'failed');
  const neighKnown = ns.known.includes('neighbours');
  const neighComplete = neighKnown && !ns.filtered.includes('neighbours');

  if (out.kind === 'vxlan' || out.vxlan !== undefined) {
    if (usable) return { kind: 'entry', mac: usable.lladdr!, entry: formatNeighbour(usable), detail: `neighbour entry ${formatNeighbour(usable)}` };
    // A default FDB destination (all-zero MAC) floods ARP to remote VTEPs, which answer for their own addresses.
    const floods = ns.fdb.some((e) => e.dev === out.name && e.mac === '00:00:00:00:00:00') || out.vxlan?.remote !== undefined || out.vxlan?.group !== undefined;
    if (floods) {
      const vtep = idx.ownersOf(ip).find((o) => o.vxlan !== undefined && o.vxlan.id === out.vxlan?.id && o.node !== out.node);
      if (vtep) return { kind: 'arp', mac: vtep.mac, answerer: vtep, detail: `no neighbour entry; ARP flooded over VXLAN would be answered by ${vtep.name} on ${vtep.node} (${vtep.mac ?? 'MAC unknown'})` };
    }
    const why = failed ? `the entry is ${formatNeighbour(failed)}` : `there is no neighbour entry for ${ip} on ${out.name}`;
    if (neighComplete) {
      return { kind: 'unresolved', detail: `${why}; ${out.name} is a VXLAN device without learning, so nothing resolves ${ip} (the CNI programs these entries)` };
    }
    return {
      kind: 'unknown',
      missing: `neighbour entries of ${out.name} on ${ns.node} (ip neigh)`,
      detail: `${why}; the neighbour table of ${ns.id} is ${neighKnown ? 'filtered' : 'not in the evidence'}`,
    };
  }

  if (usable) return { kind: 'entry', mac: usable.lladdr!, entry: formatNeighbour(usable), detail: `neighbour entry ${formatNeighbour(usable)}` };

  // An underlay NIC may itself be a veth (into a switch netns that was not captured): its role decides.
  const isL2Local = !actsAsUnderlay(idx, out) && (out.kind === 'veth' || out.kind === 'bridge' || out.role === 'bridge' || out.role === 'pod-veth' || out.role === 'host-veth');
  if (isL2Local) {
    const dom = l2Domain(idx, out);
    const hit = resolveInDomain(idx, ip, dom.members);
    if (hit) {
      if (failed && hit.kind === 'arp') hit.detail += ` (the current entry ${formatNeighbour(failed)} would be re-probed)`;
      return hit;
    }
    if (dom.unknownEnds.length > 0) {
      return {
        kind: 'unknown',
        missing: `who owns ${ip} behind ${out.name}: ${dom.unknownEnds.slice(0, 5).join(', ')}${dom.unknownEnds.length > 5 ? ` and ${dom.unknownEnds.length - 5} more` : ''}`,
        detail: `no namespace known on the L2 segment of ${out.name} owns ${ip}; part of the segment is not in the evidence`,
      };
    }
    return {
      kind: 'unresolved',
      detail: `${failed ? `the entry is ${formatNeighbour(failed)} and ` : ''}no namespace on the L2 segment of ${out.name} owns ${ip} or answers for it by proxy ARP`,
    };
  }

  // Underlay NIC: a captured node may own the address; otherwise the wire leaves the evidence.
  const owner = underlayOwner(idx, out, ip);
  if (owner) {
    return {
      kind: 'arp',
      mac: owner.mac,
      answerer: owner,
      detail: `no neighbour entry; ARP would resolve ${ip} to ${owner.mac ?? 'the MAC'} of ${owner.name} on ${owner.node}${failed ? ` (the current entry ${formatNeighbour(failed)} would be re-probed)` : ''}`,
    };
  }
  if (failed && neighComplete) {
    return { kind: 'unresolved', detail: `the entry is ${formatNeighbour(failed)}: ${ip} did not answer ARP when the evidence was taken` };
  }
  return { kind: 'outside', detail: `${ip} is not an address of any captured namespace on the segment of ${out.name}; ARP happens outside the evidence` };
}
