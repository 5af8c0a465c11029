/**
 * MTU consistency (DOMAIN §4): a tunnel must fit inside its underlay after
 * encapsulation, and a pod must not send packets its node's tunnel cannot
 * carry. Mismatches are among the most common real faults, so the graph
 * flags them on the edge where they bite.
 */
import type { TopoInterface } from './types';
import type { Cluster, NsWork } from './cluster';

/** Bytes each encapsulation adds in front of the inner packet (IPv4 outer header). */
export const ENCAP_OVERHEAD = {
  vxlan: 50,
  geneve: 50,
  ipip: 20,
  gre: 24,
  wireguard: 60,
} as const;

/** What a tunnel device costs in bytes on its underlay, when its kind or name says. */
export function tunnelOverhead(tunnel: TopoInterface): number | undefined {
  switch (tunnel.kind) {
    case 'vxlan':
      return ENCAP_OVERHEAD.vxlan;
    case 'geneve':
      return ENCAP_OVERHEAD.geneve;
    case 'ipip':
      return ENCAP_OVERHEAD.ipip;
    case 'gre':
      return ENCAP_OVERHEAD.gre;
    case 'wireguard':
      return ENCAP_OVERHEAD.wireguard;
    case undefined:
      break;
    default:
      return undefined;
  }
  if (tunnel.vxlan !== undefined || tunnel.role === 'vtep') return tunnel.name === 'cilium_geneve' ? ENCAP_OVERHEAD.geneve : ENCAP_OVERHEAD.vxlan;
  if (tunnel.tunnel?.mode === 'gre') return ENCAP_OVERHEAD.gre;
  if (tunnel.tunnel !== undefined || tunnel.name === 'tunl0') return ENCAP_OVERHEAD.ipip;
  if (/wireguard|wg/.test(tunnel.name)) return ENCAP_OVERHEAD.wireguard;
  return undefined;
}

/** True (and warned) when a tunnel's MTU does not fit its underlay NIC's MTU after encapsulation. */
export function checkTunnelFits(tunnel: TopoInterface, nic: TopoInterface, cluster: Cluster, subject: string): boolean {
  const overhead = tunnelOverhead(tunnel);
  if (overhead === undefined || tunnel.mtu === undefined || nic.mtu === undefined) return false;
  if (tunnel.mtu <= nic.mtu - overhead) return false;
  cluster.warnings.add(
    `${tunnel.name} MTU ${tunnel.mtu} exceeds ${nic.name} MTU ${nic.mtu} minus ${overhead} bytes of encapsulation (${nic.mtu - overhead}) on ${tunnel.node}`,
    tunnel.node,
    subject,
  );
  return true;
}

/**
 * Warns, once per node, when pods' eth0 MTU exceeds the smallest MTU of the
 * node's tunnels in use (`active`): full-size packets to other nodes would be dropped (DF) or
 * fragmented at the tunnel.
 */
export function checkPodMtus(cluster: Cluster, active: ReadonlySet<TopoInterface>): void {
  for (const node of cluster.nodes.values()) {
    const host = node.host;
    if (host === undefined) continue;
    let tunnel: TopoInterface | undefined;
    for (const iface of host.list) {
      // Only tunnels that carry traffic: Calico leaves an idle tunl0 (MTU 1480) beside 1500-byte pods in BGP mode.
      if (active.has(iface) && iface.mtu !== undefined) {
        if (tunnel === undefined || (tunnel.mtu !== undefined && iface.mtu < tunnel.mtu)) tunnel = iface;
      }
    }
    if (tunnel?.mtu === undefined) continue;
    const over: string[] = [];
    let mtu = 0;
    // Indexed loops: a hundred thousand pod namespaces, and this runs once, so OSR code with iterators would allocate.
    const namespaces = node.namespaces;
    for (let n = 0; n < namespaces.length; n++) {
      const ns = namespaces[n] as NsWork;
      if (ns.isHost) continue;
      for (let i = 0; i < ns.list.length; i++) {
        const iface = ns.list[i] as TopoInterface;
        if (iface.role === 'pod-veth' && iface.mtu !== undefined && iface.mtu > tunnel.mtu) {
          over.push(ns.topo.pod ? `${ns.topo.pod.namespace}/${ns.topo.pod.name}` : ns.topo.name);
          mtu = Math.max(mtu, iface.mtu);
        }
      }
    }
    if (over.length === 0) continue;
    const names = over.slice(0, 5).join(', ') + (over.length > 5 ? ` and ${over.length - 5} more` : '');
    cluster.warnings.add(
      `${over.length} pod(s) on ${node.name} have eth0 MTU up to ${mtu}, above ${tunnel.name} MTU ${tunnel.mtu}: ${names}`,
      node.name,
      tunnel.id,
    );
  }
}
