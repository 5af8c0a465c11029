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

/** An underlay NIC on a subnet, with its address there. */
interface Member {
  nic: TopoInterface;
  ip: string;
}

/**
 * Builds `l2-segment` edges between underlay NICs of different nodes on one subnet.
 * Two NICs holding the same address are not one segment: hosts on one link
 * cannot share an address (ARP would flip between them), so it is separate
 * NAT networks — Vagrant/VirtualBox gives every VM 10.0.2.15 on its own NAT
 * — or an address conflict; either way no edge, and a warning says which.
 */
export function buildSegmentEdges(cluster: Cluster): void {
  const members = new Map<string, Member[]>();
  for (const node of cluster.nodes.values()) {
    for (const nic of node.host?.list ?? []) {
      if (nic.role !== 'underlay') continue;
      for (const a of nic.addresses) {
        if (!isGlobalAddress(a) || a.prefixlen >= (a.family === 4 ? 31 : 127)) continue;
        const p = parsePrefix(`${a.ip}/${a.prefixlen}`, a.family);
        if (p === null) continue;
        const subnet = formatPrefix(p);
        const list = members.get(subnet);
        if (list === undefined) members.set(subnet, [{ nic, ip: a.ip }]);
        else if (!list.some((m) => m.nic === nic) && list.length <= MAX_SEGMENT_MEMBERS) list.push({ nic, ip: a.ip });
      }
    }
  }
  for (const [subnet, nics] of members) {
    if (nics.length < 2 || nics.length > MAX_SEGMENT_MEMBERS) continue;
    let shared: Map<string, string[]> | undefined;
    for (let i = 0; i < nics.length; i++) {
      for (let j = i + 1; j < nics.length; j++) {
        const a = nics[i] as Member;
        const b = nics[j] as Member;
        if (a.nic.node === b.nic.node) continue;
        if (a.ip === b.ip) {
          shared ??= new Map();
          const holders = shared.get(a.ip) ?? [];
          for (const m of [a, b]) {
            const name = `${m.nic.node}/${m.nic.name}`;
            if (!holders.includes(name)) holders.push(name);
          }
          shared.set(a.ip, holders);
          continue;
        }
        cluster.edges.pair('l2-segment', a.nic.id, b.nic.id, false, `${a.nic.node}/${a.nic.name} and ${b.nic.node}/${b.nic.name} are both on ${subnet}`);
      }
    }
    if (shared === undefined) continue;
    for (const [ip, holders] of shared) {
      cluster.warnings.add(
        `${holders.join(holders.length === 2 ? ' and ' : ', ')} ${holders.length === 2 ? 'both' : 'all'} hold ${ip} on ${subnet}: separate NAT networks (e.g. VirtualBox's 10.0.2.15 on every VM) or an address conflict, not one shared segment; no l2-segment drawn between them`,
        undefined,
        ip,
      );
    }
  }
}
