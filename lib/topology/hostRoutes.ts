/**
 * `host-route` edges (DOMAIN §3b): flannel host-gw and Calico BGP without an
 * overlay route a remote podCIDR straight to the remote node's underlay
 * address — `172.22.1.0/24 via 10.30.180.55 dev eth0`.
 *
 * A gateway the evidence attributes to a node is that node. A gateway nobody
 * names is taken for an uncaptured node only when the route carries pod
 * addresses (it overlaps a podCIDR or a pod netns's cluster route); routes to
 * ordinary networks through a router, and the default gateway, are not nodes.
 */
import type { Route } from '../snapshot/schema';
import type { Cluster, NodeWork } from './cluster';
import { canon, describeRoute, dstLength, forEachHop, isDefaultDst, isMainTable } from './addr';
import type { RouteHop } from './addr';
import { PrefixSet } from './prefixSet';

/** Builds `host-route` edges from every captured host netns. */
export function buildHostRouteEdges(cluster: Cluster): void {
  const space: PodSpace = { set: undefined };
  const captured = [...cluster.nodes.values()].filter((n) => n.host !== undefined);
  for (const node of captured) {
    const host = node.host;
    if (host === undefined) continue;
    const defaultGateways = new Set<string>();
    for (const route of host.topo.routes) {
      if (!isDefaultDst(route.dst)) continue;
      forEachHop(route, (hop) => {
        if (hop.gateway !== undefined) defaultGateways.add(canon(hop.gateway));
      });
    }
    const routes = host.topo.routes;
    for (let i = 0; i < routes.length; i++) {
      const route = routes[i] as Route;
      if (route.type !== 'unicast' || route.table === 'local') continue;
      if (route.nexthops === undefined || route.nexthops.length === 0) {
        // The usual single next hop, filtered in place: a host of a big
        // cluster has a route per other node, nearly all through its tunnel.
        if (route.gateway === undefined || route.dev === undefined) continue;
        if (host.get(route.dev)?.role !== 'underlay' || dstLength(route.dst) === 0) continue;
      } else if (dstLength(route.dst) === 0) {
        continue;
      }
      hostRouteHops(cluster, node, route, defaultGateways, space);
    }
  }
}

/** In a function of its own: a closure in the loop would capture `route` and cost a context per route, skipped or not. */
function hostRouteHops(cluster: Cluster, node: NodeWork, route: Route, defaultGateways: ReadonlySet<string>, space: PodSpace): void {
  forEachHop(route, (hop) => hostRoute(cluster, node, route, hop, defaultGateways, space));
}

/** The pod address space, built when a gateway first needs it. */
interface PodSpace {
  set: PrefixSet | undefined;
}

/** The `host-route` edge one next hop of a host route draws, if it leads to another node. */
function hostRoute(cluster: Cluster, node: NodeWork, route: Route, hop: RouteHop, defaultGateways: ReadonlySet<string>, space: PodSpace): void {
  const host = node.host;
  if (hop.gateway === undefined || hop.dev === undefined || host === undefined) return;
  const nic = host.get(hop.dev);
  if (nic === undefined || nic.role !== 'underlay') return;
  const gw = canon(hop.gateway);
  if (node.hostAddrOwner.has(gw)) return;
  let remote = cluster.nodeOf(gw);
  let inferred = false;
  let evidence = `${node.name}: ${describeRoute(route, hop)}`;
  if (remote === undefined) {
    if (defaultGateways.has(gw) || cluster.isAmbiguous(gw)) return;
    space.set ??= buildPodSpace(cluster);
    if (!space.set.overlaps(route.dst)) return;
    remote = cluster.nodeForAddress(gw);
    if (remote === undefined) return;
    inferred = true;
    evidence += ` (${gw} taken for a node: ${route.dst} holds pod addresses)`;
  }
  if (remote === node) return;
  const target = remote.hostAddrOwner.get(gw)?.id ?? remote.name;
  cluster.edges.pair('host-route', nic.id, target, inferred, evidence);
}

/**
 * Where pod addresses live: every node's podCIDRs, and the cluster-wide
 * routes pods use (`172.22.0.0/16 via 172.22.0.1 dev eth0`). Built only when a
 * gateway needs it.
 */
function buildPodSpace(cluster: Cluster): PrefixSet {
  const set = new PrefixSet();
  const seen = new Set<string>();
  const add = (dst: string): void => {
    if (seen.has(dst)) return;
    seen.add(dst);
    set.add(dst);
  };
  for (const node of cluster.nodes.values()) {
    for (const c of node.topo.podCidrs) add(c);
    for (const ns of node.namespaces) {
      if (ns.isHost || ns.topo.kind !== 'pod') continue;
      for (const route of ns.topo.routes) {
        if (!isMainTable(route.table) || isDefaultDst(route.dst)) continue;
        add(route.dst);
      }
    }
  }
  return set;
}

