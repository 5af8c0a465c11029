/**
 * Linux bridge forwarding: a frame addressed to the bridge (or to a port's
 * own MAC, a "local" FDB entry) goes up to the host stack; a frame whose
 * destination MAC the FDB knows goes out that port; an unknown unicast is
 * flooded, and podnet follows the port whose far end owns the frame.
 */
import { canonicalIp } from '../net/ip';
import type { FdbEntry } from '../snapshot/schema';
import type { TopoInterface, TopoNetns } from '../topology/types';
import type { TopologyIndex } from '../topology/topologyIndex';
import { fdbForMac } from './evidenceIndex';
import { formatFdb } from './format';

/** What the bridge does with a frame. */
export type BridgeDecision =
  /** Up to the bridge's own netns stack (the frame is for the bridge). */
  | { kind: 'to-host'; entry?: string; detail: string }
  /** Out of one port. */
  | { kind: 'port'; port: TopoInterface; entry?: string; detail: string }
  /** Flooded and no known port takes it: a drop (not-addressed-here). */
  | { kind: 'nobody'; detail: string }
  /** Flooded to ports whose far ends are not in the evidence. */
  | { kind: 'unknown'; missing: string; detail: string };

/** A frame as the bridge sees it. */
export interface Frame {
  dstMac?: string;
  /** The IP the sender resolved the MAC for (its next hop), to follow a flood when MACs are unknown. */
  nextHop: string;
}

function sameMac(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

function fdbEntryFor(ns: TopoNetns, ports: readonly TopoInterface[], bridge: TopoInterface, mac: string): { entry: FdbEntry; port?: TopoInterface } | undefined {
  for (const e of fdbForMac(ns, mac)) {
    if (e.dev === bridge.name && (e.flags ?? []).includes('self')) continue;
    const port = ports.find((p) => p.name === e.dev);
    if (port) return { entry: e, port };
    if (e.dev === bridge.name) return { entry: e };
  }
  return undefined;
}

/**
 * Forwards a frame that entered `bridge` by `inPort` (or that the bridge's
 * own netns sent through the bridge device when `inPort` is null).
 */
export function bridgeForward(idx: TopologyIndex, ns: TopoNetns, bridge: TopoInterface, inPort: TopoInterface | null, frame: Frame): BridgeDecision {
  const ports = idx.bridgePorts(bridge.id);
  if (inPort !== null) {
    if (sameMac(frame.dstMac, bridge.mac)) {
      return { kind: 'to-host', detail: `frame addressed to ${bridge.name}'s own MAC ${bridge.mac}: up to the host stack` };
    }
    const ownPort = ports.find((p) => sameMac(p.mac, frame.dstMac));
    if (ownPort) {
      return { kind: 'to-host', detail: `frame addressed to ${ownPort.name}'s own MAC ${ownPort.mac} (a local FDB entry): up to the host stack` };
    }
  }
  if (frame.dstMac !== undefined) {
    const hit = fdbEntryFor(ns, ports, bridge, frame.dstMac);
    if (hit) {
      const text = formatFdb(hit.entry);
      if (!hit.port || (hit.entry.state === 'permanent' && inPort !== null)) {
        return { kind: 'to-host', entry: text, detail: `FDB entry ${text} is local: up to the host stack` };
      }
      if (inPort && hit.port.id === inPort.id) {
        return { kind: 'nobody', detail: `FDB entry ${text} points back to the ingress port ${inPort.name}; the bridge does not hairpin` };
      }
      return { kind: 'port', port: hit.port, entry: text, detail: `FDB entry ${text}: out ${hit.port.name}` };
    }
  }
  // Unknown unicast: the bridge floods; the frame is taken by the far end whose MAC (or address) matches.
  const why = frame.dstMac === undefined ? 'destination MAC unknown' : `no FDB entry for ${frame.dstMac}${ns.known.includes('fdb') ? '' : ' (bridge fdb not in the evidence)'}`;
  const unknownEnds: string[] = [];
  for (const p of ports) {
    if (inPort && p.id === inPort.id) continue;
    const peer = idx.peerOf(p);
    if (!peer) {
      unknownEnds.push(p.name);
      continue;
    }
    const byMac = sameMac(peer.mac, frame.dstMac);
    const byIp = frame.dstMac === undefined || peer.mac === undefined ? idx.ownersOf(frame.nextHop).some((o) => idx.netnsOf(o) === idx.netnsOf(peer)) : false;
    if (byMac || byIp) {
      return { kind: 'port', port: p, detail: `${why}: flooded; ${p.name} leads to ${peer.name} in ${idx.netnsOf(peer)}, which ${byMac ? `has MAC ${frame.dstMac}` : `owns ${canonicalIp(frame.nextHop)}`}` };
    }
  }
  if (inPort !== null && frame.dstMac === undefined && idx.ownersOf(frame.nextHop).some((o) => idx.netnsOf(o) === ns.id)) {
    return { kind: 'to-host', detail: `${why}: the bridge's own netns owns ${frame.nextHop}: up to the host stack` };
  }
  if (unknownEnds.length > 0) {
    return {
      kind: 'unknown',
      missing: `the far ends of ${bridge.name} ports ${unknownEnds.slice(0, 5).join(', ')}${unknownEnds.length > 5 ? ` and ${unknownEnds.length - 5} more` : ''}`,
      detail: `${why}: flooded to ports whose peers are not in the evidence`,
    };
  }
  return { kind: 'nobody', detail: `${why}: flooded, and no port of ${bridge.name} leads to ${frame.dstMac ?? frame.nextHop}` };
}
