/**
 * IP-in-IP (protocol 4) as Calico's `tunl0` uses it: a tunnel with no fixed
 * remote sends each packet to the route's gateway, from the address the host
 * picks for reaching that gateway — so the gateway decides the underlay NIC.
 */
import { canonicalIp } from '../net/ip';
import type { TopoInterface, TopoNetns } from '../topology/types';
import type { TopologyIndex } from '../topology/topologyIndex';
import type { Encapsulation, PacketHeaders } from './types';
import { selectSource } from './routeLookup';

/** Bytes IPIP adds: one outer IPv4 header. */
export const IPIP_OVERHEAD = 20;

/** Result of encapsulating at an IPIP device. */
export type IpipEncapResult =
  | { kind: 'ok'; encap: Encapsulation; outer: PacketHeaders; detail: string }
  | { kind: 'unknown'; missing: string; detail: string };

function isAny(v: string | undefined): boolean {
  return v === undefined || v === 'any' || v === '0.0.0.0';
}

/** Encapsulates `inner` at `tun`; `gateway` is the matched route's gateway. */
export function ipipEncap(idx: TopologyIndex, ns: TopoNetns, tun: TopoInterface, inner: PacketHeaders, gateway: string | undefined): IpipEncapResult {
  const t = tun.tunnel;
  // A tunnel without a fixed remote uses the route's next hop (the inner destination when the route has no gateway).
  const remote = !isAny(t?.remote) ? t!.remote! : (gateway ?? inner.dst);
  const remoteHow = !isAny(t?.remote) ? `remote ${remote} of ${tun.name}` : gateway !== undefined ? `the route's gateway ${gateway}` : `the inner destination (the route has no gateway)`;
  let src = !isAny(t?.local) ? t!.local! : undefined;
  let srcHow = `local ${src} of ${tun.name}`;
  if (src === undefined) {
    const sel = selectSource(idx, ns, remote);
    if (!sel) return { kind: 'unknown', missing: `a route from ${ns.node} to ${remote}`, detail: `no source address for reaching ${remote}: the host has no route to it` };
    src = sel.ip;
    srcHow = `${sel.ip}, the source the host selects for ${remote} (${sel.how})`;
  }
  const encap: Encapsulation = { type: 'ipip', outerSrc: canonicalIp(src), outerDst: canonicalIp(remote), overhead: IPIP_OVERHEAD };
  const ttl = t?.ttl !== undefined && t.ttl > 0 ? t.ttl : inner.ttl;
  const outer: PacketHeaders = { src: encap.outerSrc, dst: encap.outerDst, protocol: 4, ttl, length: inner.length + IPIP_OVERHEAD };
  return {
    kind: 'ok',
    encap,
    outer,
    detail: `IPIP: outer ${encap.outerSrc} → ${encap.outerDst} protocol 4 (destination: ${remoteHow}; source: ${srcHow}), ${inner.length} + ${IPIP_OVERHEAD} = ${outer.length} bytes`,
  };
}

/** Result of an IPIP packet arriving at a netns. */
export type IpipDecapResult =
  | { kind: 'ok'; tunnel: TopoInterface; detail: string }
  | { kind: 'dropped'; reason: 'no-vtep' | 'link-down'; detail: string };

function isIpipDevice(i: TopoInterface): boolean {
  return i.kind === 'ipip' || i.tunnel?.mode === 'ipip';
}

/**
 * The device that takes an IPIP packet, in the kernel's order of preference:
 * exact local+remote, then local with any remote, then the catch-all `tunl0`.
 */
export function ipipDecap(idx: TopologyIndex, ns: TopoNetns, outer: PacketHeaders): IpipDecapResult {
  const tuns = idx.interfacesOf(ns.id).filter(isIpipDevice);
  const dst = canonicalIp(outer.dst);
  const src = canonicalIp(outer.src);
  const eq = (a: string | undefined, b: string): boolean => !isAny(a) && canonicalIp(a!) === b;
  const pick =
    tuns.find((t) => eq(t.tunnel?.local, dst) && eq(t.tunnel?.remote, src)) ??
    tuns.find((t) => eq(t.tunnel?.local, dst) && isAny(t.tunnel?.remote)) ??
    tuns.find((t) => isAny(t.tunnel?.local) && eq(t.tunnel?.remote, src)) ??
    tuns.find((t) => isAny(t.tunnel?.local) && isAny(t.tunnel?.remote));
  if (!pick) {
    return { kind: 'dropped', reason: 'no-vtep', detail: `no IPIP device on ${ns.node} takes protocol-4 packets from ${src} to ${dst}` };
  }
  if (pick.adminUp === false || ['DOWN', 'LOWERLAYERDOWN'].includes((pick.operState ?? '').toUpperCase())) {
    return { kind: 'dropped', reason: 'link-down', detail: `${pick.name} on ${ns.node} is down and does not receive` };
  }
  return { kind: 'ok', tunnel: pick, detail: `${pick.name} decapsulates the IPIP packet from ${src}` };
}
