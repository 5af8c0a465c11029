/**
 * Finding things in a topology by what a person types: a pod name, an IP, an
 * interface name or a MAC. Exact hits rank before prefix hits before
 * substring hits, so `eth0` finds the node's `eth0` before every pod's.
 */
import { canonicalIp, isIp } from '../net/ip';
import { fastCanonicalIp } from '../topology/topologyIndex';
import type { Topology } from '../topology/types';
import { elementId, type GraphMatch } from './types';

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Default number of matches returned. */
export const SEARCH_LIMIT = 50;

interface Ranked {
  match: GraphMatch;
  rank: number;
}

function nameRank(name: string, q: string): number | null {
  const n = name.toLowerCase();
  if (n === q) return 0;
  if (n.startsWith(q)) return 1;
  if (n.includes(q)) return 2;
  return null;
}

const KIND_ORDER: Record<GraphMatch['kind'], number> = { pod: 0, device: 1, node: 2 };

/** Matches of `query` in `t`, best first, at most `limit`, one per element. */
export function searchTopology(t: Topology, query: string, limit = SEARCH_LIMIT): GraphMatch[] {
  const q = query.trim().toLowerCase();
  if (q === '') return [];
  const out = new Map<string, Ranked>();
  const add = (match: GraphMatch, rank: number): void => {
    const prev = out.get(match.elementId);
    if (!prev || rank < prev.rank) out.set(match.elementId, { match, rank });
  };

  // Pod-side interfaces are drawn as their pod, so a hit on eth0 selects the pod.
  const podOfNetns = new Map<string, { id: string; label: string }>();
  for (const p of t.pods) if (p.netns !== undefined && !p.hostNetwork) podOfNetns.set(p.netns, { id: p.id, label: p.id });

  const ip = isIp(q) ? canonicalIp(q) : null;
  const mac = MAC.test(q) ? q : null;

  for (const p of t.pods) {
    const node = p.node !== undefined ? elementId.node(p.node) : null;
    if (ip !== null) {
      if (p.ips.some((x) => fastCanonicalIp(x) === ip)) add({ kind: 'pod', elementId: elementId.pod(p.id), node, label: `${p.id} ${ip}`, field: 'ip' }, 0);
      continue;
    }
    if (mac !== null) continue;
    const r = Math.min(nameRank(p.name, q) ?? 9, nameRank(p.id, q) ?? 9);
    if (r < 9) add({ kind: 'pod', elementId: elementId.pod(p.id), node, label: p.id, field: 'name' }, r);
  }

  for (const i of t.interfaces) {
    let rank: number | null = null;
    let field: GraphMatch['field'] = 'name';
    if (ip !== null) {
      if (i.addresses.some((a) => fastCanonicalIp(a.ip) === ip)) rank = 0;
      field = 'ip';
    } else if (mac !== null) {
      if (i.mac !== undefined && i.mac.toLowerCase() === mac) rank = 0;
      field = 'mac';
    } else {
      rank = nameRank(i.name, q);
    }
    if (rank === null) continue;
    if (i.kind === 'loopback' && rank > 0) continue;
    const pod = podOfNetns.get(i.netns);
    const node = elementId.node(i.node);
    if (pod) add({ kind: 'pod', elementId: elementId.pod(pod.id), node, label: `${pod.label} ${i.name}`, field }, rank + 0.5);
    else add({ kind: 'device', elementId: elementId.device(i.id), node, label: `${i.node} ${i.name}`, field }, rank);
  }

  for (const n of t.nodes) {
    let rank: number | null = null;
    let field: GraphMatch['field'] = 'name';
    if (ip !== null) {
      rank = n.addresses.some((a) => fastCanonicalIp(a) === ip) ? 0 : null;
      field = 'ip';
    } else if (mac === null) {
      rank = nameRank(n.name, q);
    }
    if (rank !== null) add({ kind: 'node', elementId: elementId.node(n.id), node: elementId.node(n.id), label: n.name, field }, rank);
  }

  return [...out.values()]
    .sort((a, b) => a.rank - b.rank || KIND_ORDER[a.match.kind] - KIND_ORDER[b.match.kind] || (a.match.label < b.match.label ? -1 : a.match.label > b.match.label ? 1 : 0))
    .slice(0, limit)
    .map((r) => r.match);
}
