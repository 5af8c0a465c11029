/**
 * `l2-segment` edges: underlay NICs of different nodes that share a subnet
 * and so reach each other without a router (what host-gw routing needs).
 * Pairwise edges grow quadratically, so a subnet with more than
 * `MAX_SEGMENT_MEMBERS` NICs draws none: a 1,000-node cluster on one /16
 * stays linear, and the shared subnet is visible from the addresses anyway.
 */
import type { TopoInterface } from './types';
import type { Cluster } from './cluster';
import { isGlobalAddress } from './addr';
import { formatPrefix, parsePrefix } from '../net/ip';

/** Largest subnet membership that still gets pairwise edges. */
export const MAX_SEGMENT_MEMBERS = 32;

/** Builds `l2-segment` edges between underlay NICs of different nodes on one subnet. */
export function buildSegmentEdges(cluster: Cluster): void {
  const members = new Map<string, TopoInterface[]>();
  for (const node of cluster.nodes.values()) {
    for (const nic of node.host?.list ?? []) {
      if (nic.role !== 'underlay') continue;
      for (const a of nic.addresses) {
        if (!isGlobalAddress(a) || a.prefixlen >= (a.family === 4 ? 31 : 127)) continue;
        const p = parsePrefix(`${a.ip}/${a.prefixlen}`, a.family);
        if (p === null) continue;
        const subnet = formatPrefix(p);
        const list = members.get(subnet);
        if (list === undefined) members.set(subnet, [nic]);
        else if (!list.includes(nic) && list.length <= MAX_SEGMENT_MEMBERS) list.push(nic);
      }
    }
  }
  for (const [subnet, nics] of members) {
    if (nics.length < 2 || nics.length > MAX_SEGMENT_MEMBERS) continue;
    for (let i = 0; i < nics.length; i++) {
      for (let j = i + 1; j < nics.length; j++) {
        const a = nics[i];
        const b = nics[j];
        if (a === undefined || b === undefined || a.node === b.node) continue;
        cluster.edges.pair('l2-segment', a.id, b.id, false, `${a.node}/${a.name} and ${b.node}/${b.name} are both on ${subnet}`);
      }
    }
  }
}
