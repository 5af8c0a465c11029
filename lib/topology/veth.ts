/**
 * Pairing the two ends of each veth (DOMAIN §2).
 *
 * Ifindexes are unique only within a namespace, and every pod's eth0 is
 * usually ifindex 2 or 3 in its own netns, so many host veths say `@if3`. The
 * reliable direction is pod → host: a pod's `eth0@if220` names host ifindex
 * 220, which the host netns has exactly once. The other direction needs
 * `link_netnsid` resolved through `ip netns list-id`. What neither settles is
 * left unknown, or — when exactly one candidate on each side remains —
 * paired by elimination and marked inferred.
 */
import type { NetnsId, VethPeer } from '../snapshot/schema';
import type { PeerRef, TopoEdge, TopoInterface } from './types';
import { VethEdge } from './lazyEdge';
import type { Cluster, NodeWork, NsWork } from './cluster';
import { listSome } from './k8s';
import { flat } from './addr';

interface VethEnd {
  iface: TopoInterface;
  ns: NsWork;
  wire: VethPeer | undefined;
  /** Why this end is not paired yet, said as the final evidence if nothing pairs it. */
  reason: string | undefined;
}

/**
 * `pod eth0@if7 names host ifindex 7`: the line of nearly every veth pair,
 * and the same few hundred lines on every node (pods' eth0 and host
 * ifindexes repeat), so each is formatted once per build and shared, as a
 * frozen one-line evidence list (Cluster.vethLines: name → lists by ifindex).
 */
function podToHostLines(cluster: Cluster, name: string, ifindex: number): readonly string[] {
  // Ifindexes are small and dense on a host; an odd one is formatted without the cache.
  if (!Number.isInteger(ifindex) || ifindex < 0 || ifindex > 65535) return [flat('pod ', name, '@if', ifindex, ' names host ifindex ', ifindex)];
  let byIndex = cluster.vethLines.get(name);
  if (byIndex === undefined) {
    byIndex = [];
    cluster.vethLines.set(name, byIndex);
  }
  let lines = byIndex[ifindex];
  if (lines === undefined) {
    lines = Object.freeze([flat('pod ', name, '@if', ifindex, ' names host ifindex ', ifindex)]);
    byIndex[ifindex] = lines;
  }
  return lines;
}

/** Pairs the veths of one node, setting `peer` on both ends and adding one `veth` edge per pair. */
export function pairVeths(node: NodeWork, cluster: Cluster): void {
  const ends = new Map<TopoInterface, VethEnd>();
  const podEnds: VethEnd[] = [];
  const hostEnds: VethEnd[] = [];
  // Indexed loops: a node's hundred namespaces, for each of a thousand nodes.
  for (let n = 0; n < node.namespaces.length; n++) {
    const ns = node.namespaces[n] as NsWork;
    for (let i = 0; i < ns.list.length; i++) {
      const iface = ns.list[i] as TopoInterface;
      if (iface.role !== 'pod-veth' && iface.role !== 'host-veth') continue;
      const end: VethEnd = { iface, ns, wire: ns.wire(iface.name)?.peer, reason: undefined };
      ends.set(iface, end);
      (iface.role === 'pod-veth' ? podEnds : hostEnds).push(end);
    }
  }
  if (ends.size === 0) return;
  // An end is paired once it has a peer: pairing sets it, and only step (5) sets one otherwise, last
  // (no Set of a node's two hundred ends, a thousand times).
  const paired = (iface: TopoInterface): boolean => iface.peer !== undefined;
  const pair = (podSide: VethEnd, hostSide: VethEnd, state: PeerRef['state'], evidence: string, shared?: readonly string[]): void => {
    podSide.iface.peer = { id: hostSide.iface.id, state, evidence };
    hostSide.iface.peer = { id: podSide.iface.id, state, evidence };
    let edge: TopoEdge;
    if (cluster.lazyPortEdges) {
      edge = new VethEdge(podSide.iface.id, hostSide.iface.id, state === 'inferred', shared ?? [evidence]);
      cluster.edges.list.push(edge);
    } else {
      edge = cluster.edges.uniqueShared('veth', podSide.iface.id, hostSide.iface.id, state === 'inferred', shared ?? [evidence]);
    }
    const a = podSide.iface.mtu;
    const b = hostSide.iface.mtu;
    if (a !== undefined && b !== undefined && a !== b) {
      edge.mtuMismatch = true;
      cluster.warnings.add(
        `veth ends ${podSide.iface.id} (MTU ${a}) and ${hostSide.iface.id} (MTU ${b}) disagree on MTU`,
        node.name,
        edge.id,
      );
    }
  };

  // (1) Pod → host: the pod's eth0@ifN names an ifindex that is unique in the peer's namespace.
  // Indexed: a hundred thousand pod ends, where for-of's iterator results were not optimised away.
  for (let e = 0; e < podEnds.length; e++) {
    const end = podEnds[e] as VethEnd;
    const n = end.wire?.ifindex;
    if (n === undefined) {
      end.reason = `${end.iface.name} gives no peer ifindex`;
      continue;
    }
    const target = resolvePeerNetns(end) ?? node.host;
    if (target === undefined) {
      end.reason = `${end.iface.name}@if${n} points into the host netns of ${node.name}, which was not captured`;
      continue;
    }
    const label = target.isHost ? 'host' : `netns ${target.topo.name}`;
    const found = target.byIfindex(n);
    if (found === undefined) {
      end.reason = `${label} ifindex ${n} (named by ${end.iface.name}@if${n}) is not in the evidence`;
      continue;
    }
    if (found === null) {
      end.reason = `${label} ifindex ${n} is claimed by two interfaces`;
      continue;
    }
    const other = ends.get(found);
    if (other === undefined || other === end) {
      end.reason = `${label} ifindex ${n} is ${found.name}, which is not a veth`;
      cluster.warnings.add(`${end.iface.id}@if${n} names ${found.id}, which is not a veth; left unpaired`, node.name, end.iface.id);
      continue;
    }
    if (paired(found)) {
      end.reason = `${label} ifindex ${n} (${found.name}) is already paired with ${found.peer?.id ?? '?'}`;
      cluster.warnings.add(`${end.iface.id} and ${found.peer?.id ?? '?'} both name ${found.id} as their peer`, node.name, found.id);
      continue;
    }
    const m = other.wire?.ifindex;
    if (m !== undefined && end.iface.ifindex !== undefined && m !== end.iface.ifindex) {
      cluster.warnings.add(
        `${found.id} says @if${m} but its peer ${end.iface.id} is ifindex ${end.iface.ifindex}: the captures may be from different moments`,
        node.name,
        found.id,
      );
    }
    if (end.ns.topo.kind === 'pod' && target.isHost) {
      const lines = podToHostLines(cluster, end.iface.name, n);
      pair(end, other, 'paired', lines[0] as string, lines);
    } else {
      pair(end, other, 'paired', flat(end.ns.topo.kind === 'pod' ? 'pod' : `netns ${end.ns.topo.name}`, ' ', end.iface.name, '@if', n, ' names ', label, ' ifindex ', n));
    }
  }

  // (2) link_index + link_netnsid: the viewer's `ip netns list-id` names the peer's namespace.
  for (let e = 0; e < hostEnds.length + podEnds.length; e++) {
    const end = (e < hostEnds.length ? hostEnds[e] : podEnds[e - hostEnds.length]) as VethEnd;
    if (paired(end.iface)) continue;
    const n = end.wire?.ifindex;
    const hasNetns = end.wire?.netnsId !== undefined || end.wire?.netnsName !== undefined;
    if (n === undefined || !hasNetns) continue;
    const target = resolvePeerNetns(end);
    if (target === undefined || target === end.ns) {
      end.reason = `${describeNetnsRef(end.wire)} is not mapped to a captured namespace`;
      continue;
    }
    const found = target.byIfindex(n);
    const other = found ? ends.get(found) : undefined;
    if (found === undefined || found === null || other === undefined) {
      end.reason = `${describeNetnsRef(end.wire)} is ${target.topo.name}, which has no veth with ifindex ${n}`;
      continue;
    }
    if (paired(found)) {
      end.reason = `${target.topo.name} ifindex ${n} is already paired with ${found.peer?.id ?? '?'}`;
      continue;
    }
    const back = other.wire?.ifindex;
    if (back !== undefined && end.iface.ifindex !== undefined && back !== end.iface.ifindex) {
      end.reason = `${found.id} says @if${back}, not ${end.iface.ifindex}`;
      cluster.warnings.add(`${end.iface.id} and ${found.id} name each other inconsistently; left unpaired`, node.name, end.iface.id);
      continue;
    }
    const evidence = `${end.ns.isHost ? 'host' : end.ns.topo.name} ${end.iface.name} link-netnsid ${describeNetnsRef(end.wire)} = ${target.topo.name}, peer ifindex ${n}`;
    if (end.ns.isHost) pair(other, end, 'paired', evidence);
    else if (target.isHost) pair(end, other, 'paired', evidence);
    else if (end.iface.id < other.iface.id) pair(end, other, 'paired', evidence);
    else pair(other, end, 'paired', evidence);
  }

  let podLeft = podEnds.filter((e) => !paired(e.iface));
  let hostLeft = hostEnds.filter((e) => !paired(e.iface));

  // (3) The reverse half alone: `lxc8f2a1c3d9e4b@if10` from `ip -br link` (no ifindex of its
  // own) names ifindex 10, and a captured pod's `10: eth0` is that one. Pod ifindexes repeat
  // across namespaces, so only a match that is one-to-one among the unpaired ends pairs — and
  // only when the host listing was not filtered (an unlisted veth could name the same ifindex).
  if (podLeft.length > 0 && hostLeft.length > 0 && node.host !== undefined && !node.host.topo.filtered.includes('links')) {
    if (pairByReverseIndex(podLeft, hostLeft, node, pair)) {
      podLeft = podLeft.filter((e) => !paired(e.iface));
      hostLeft = hostLeft.filter((e) => !paired(e.iface));
    }
  }

  // (4) Elimination: one pod end and one host end left, and nothing contradicts it.
  const [p, h] = [podLeft[0], hostLeft[0]];
  if (podLeft.length === 1 && hostLeft.length === 1 && p !== undefined && h !== undefined && consistent(p, h, node)) {
    pair(p, h, 'inferred', `inferred: ${p.iface.id} and ${h.iface.id} are the only unpaired pod and host veths on ${node.name}`);
  }

  // (5) The rest stays unknown, saying what is missing.
  const unknown: string[] = [];
  for (const end of ends.values()) {
    if (paired(end.iface)) continue;
    let evidence = end.reason;
    if (evidence === undefined) {
      const n = end.iface.ifindex;
      evidence =
        end.iface.role === 'host-veth'
          ? n !== undefined
            ? `no captured namespace names ${end.iface.name} (host ifindex ${n}) as its peer`
            : `${end.iface.name} has no ifindex in the evidence and no captured namespace names it`
          : `peer of ${end.iface.name} is not in the evidence`;
    }
    end.iface.peer = { state: 'unknown', evidence };
    unknown.push(end.iface.name);
  }
  if (unknown.length > 0) {
    cluster.warnings.add(`peer unknown for ${unknown.length} veth(s) on ${node.name}: ${listSome(unknown)}`, node.name);
  }
}

/**
 * Pairs, as inferred, each unpaired host end whose `@ifN` matches the ifindex of exactly one
 * unpaired pod end that no other unpaired host end names, when nothing contradicts it.
 */
function pairByReverseIndex(
  podLeft: readonly VethEnd[],
  hostLeft: readonly VethEnd[],
  node: NodeWork,
  pair: (podSide: VethEnd, hostSide: VethEnd, state: PeerRef['state'], evidence: string) => void,
): boolean {
  const podsOf = new Map<VethEnd, VethEnd[]>();
  const hostsOf = new Map<VethEnd, VethEnd[]>();
  for (const h of hostLeft) {
    const m = h.wire?.ifindex;
    if (m === undefined) continue;
    for (const p of podLeft) {
      if (p.iface.ifindex !== m || !consistent(p, h, node)) continue;
      const ps = podsOf.get(h);
      if (ps === undefined) podsOf.set(h, [p]);
      else ps.push(p);
      const hs = hostsOf.get(p);
      if (hs === undefined) hostsOf.set(p, [h]);
      else hs.push(h);
    }
  }
  let any = false;
  for (const [h, ps] of podsOf) {
    const p = ps[0];
    if (ps.length !== 1 || p === undefined || hostsOf.get(p)?.length !== 1) continue;
    const m = h.wire?.ifindex ?? '?';
    const who = p.ns.topo.pod !== undefined ? `pod ${p.ns.topo.pod.namespace}/${p.ns.topo.pod.name}` : `netns ${p.ns.topo.name}`;
    const own = h.iface.ifindex === undefined ? `; ${h.iface.name}'s own ifindex is not in the evidence` : '';
    pair(p, h, 'inferred', `inferred: host ${h.iface.name}@if${m} names ifindex ${m}, and ${p.iface.name} of ${who} is the only unpaired veth with it${own}`);
    any = true;
  }
  return any;
}

/** The namespace a veth end's `link_netnsid` / `link-netns` names, on the same node. */
function resolvePeerNetns(end: VethEnd): NsWork | undefined {
  const wire = end.wire;
  if (wire === undefined) return undefined;
  const node = end.ns.node;
  if (wire.netnsName !== undefined) return findNetns(node, wire.netnsName);
  if (wire.netnsId === undefined) return undefined;
  const ids = end.ns.snap.netnsIds;
  if (ids === undefined) return undefined;
  // A loop, not find(): its closure would be allocated for each of a hundred thousand pod ends.
  for (let i = 0; i < ids.length; i++) {
    const entry = ids[i] as NetnsId;
    if (entry.nsid !== wire.netnsId) continue;
    return entry.name !== undefined ? findNetns(node, entry.name) : undefined;
  }
  return undefined;
}

function findNetns(node: NodeWork, name: string): NsWork | undefined {
  const direct = node.nsByName.get(name);
  if (direct !== undefined) return direct;
  // `ip netns list-id` names the file under /var/run/netns; snapshots may name the netns by its path.
  for (const ns of node.namespaces) {
    const source = ns.snap.source;
    if (source !== undefined && (source === name || source.endsWith(`/${name}`))) return ns;
  }
  return undefined;
}

function describeNetnsRef(wire: VethPeer | undefined): string {
  if (wire?.netnsName !== undefined) return `link-netns ${wire.netnsName}`;
  return `link-netnsid ${wire?.netnsId ?? '?'}`;
}

/** Nothing in the evidence says these two ends belong to different pairs. */
function consistent(pod: VethEnd, host: VethEnd, node: NodeWork): boolean {
  const podPeer = pod.wire?.ifindex;
  if (podPeer !== undefined && host.iface.ifindex !== undefined && podPeer !== host.iface.ifindex) return false;
  const hostPeer = host.wire?.ifindex;
  if (hostPeer !== undefined && pod.iface.ifindex !== undefined && hostPeer !== pod.iface.ifindex) return false;
  // The pod names an ifindex the host listing has as some other device.
  if (podPeer !== undefined && node.host?.byIfindex(podPeer) !== undefined && node.host.byIfindex(podPeer) !== host.iface) return false;
  const hostNetns = resolvePeerNetns(host);
  if (hostNetns !== undefined && hostNetns !== pod.ns) return false;
  return true;
}
