/**
 * VXLAN encapsulation and decapsulation as Linux's vxlan driver does it.
 *
 * Out: the inner frame's destination MAC (from the neighbour entry) is looked
 * up in the VTEP's FDB (`bridge fdb … dst <remote>`); an all-zero MAC entry
 * or the device's `remote` is the default destination. The outer packet is
 * UDP from `local` (or the source the host picks for the remote) to the
 * remote, port `dstport` (Linux's default 8472), with the device's VNI.
 *
 * In: the UDP port must be one a VXLAN device of that netns listens on, the
 * VNI must match, and the inner frame must be addressed to that VTEP's MAC.
 */
import { canonicalIp } from '../net/ip';
import type { FdbEntry } from '../snapshot/schema';
import type { TopoInterface, TopoNetns } from '../topology/types';
import { LINUX_VXLAN_DEFAULT_PORT, type TopologyIndex } from '../topology/topologyIndex';
import type { Encapsulation, PacketHeaders } from './types';
import { fdbFor } from './evidenceIndex';
import { formatFdb } from './format';
import { selectSource } from './routeLookup';

/** Bytes VXLAN adds in front of the inner IP packet over IPv4: outer IP 20 + UDP 8 + VXLAN 8 + inner Ethernet 14. */
export const VXLAN_OVERHEAD = 50;

/** Result of encapsulating at a VTEP. */
export type VxlanEncapResult =
  | { kind: 'ok'; remote: string; entry: string; encap: Encapsulation; outer: PacketHeaders; detail: string; notes: string[] }
  | { kind: 'fdb-missing'; detail: string }
  | { kind: 'unknown'; missing: string; detail: string };

const ZERO_MAC = '00:00:00:00:00:00';

function sameMac(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** Encapsulates `inner` (addressed to `dstMac`) at `vtep` in netns `ns`. */
export function vxlanEncap(idx: TopologyIndex, ns: TopoNetns, vtep: TopoInterface, inner: PacketHeaders, dstMac: string | undefined): VxlanEncapResult {
  const info = vtep.vxlan;
  if (!info) return { kind: 'unknown', missing: `VXLAN parameters of ${vtep.name} (ip -d link show ${vtep.name})`, detail: `${vtep.name} has no VXLAN details in the evidence` };
  const notes: string[] = [];
  let chosen: FdbEntry | undefined = dstMac === undefined ? undefined : fdbFor(ns, vtep.name, dstMac).find((e) => e.dst !== undefined);
  let remote: string | undefined = chosen?.dst;
  let entryText = chosen ? formatFdb(chosen) : '';
  if (!chosen) {
    const defaults = fdbFor(ns, vtep.name, ZERO_MAC).filter((e) => e.dst !== undefined);
    if (defaults.length > 0) {
      chosen = defaults[0]!;
      remote = chosen.dst;
      entryText = formatFdb(chosen);
      notes.push(
        defaults.length > 1
          ? `no FDB entry for ${dstMac ?? 'the MAC'}; the frame is replicated to ${defaults.length} default destinations, podnet follows the first (${remote})`
          : `no FDB entry for ${dstMac ?? 'the MAC'}; the default destination ${remote} takes it`,
      );
    } else if (info.remote !== undefined) {
      remote = info.remote;
      entryText = `${vtep.name} remote ${info.remote}`;
      notes.push(`no FDB entry for ${dstMac ?? 'the MAC'}; the device's remote ${info.remote} takes it`);
    }
  }
  if (remote === undefined) {
    const what = `no FDB entry on ${vtep.name} for ${dstMac ?? 'the destination MAC'} (bridge fdb show dev ${vtep.name})`;
    if (ns.known.includes('fdb') && !ns.filtered.includes('fdb')) return { kind: 'fdb-missing', detail: `${what}: the VTEP does not know which node to send to` };
    return { kind: 'unknown', missing: `the FDB of ${vtep.name} on ${ns.node} (bridge fdb show)`, detail: `${what}, and the FDB is ${ns.known.includes('fdb') ? 'filtered' : 'not in the evidence'}` };
  }
  let src = info.local;
  let srcHow = `local ${info.local} of ${vtep.name}`;
  if (src === undefined) {
    const sel = selectSource(idx, ns, remote);
    if (!sel) return { kind: 'unknown', missing: `a source address for reaching ${remote} on ${ns.node}`, detail: `${vtep.name} has no local address and no route to ${remote} gives one` };
    src = sel.ip;
    srcHow = `${sel.ip}, the source the host selects for ${remote} (${sel.how})`;
  }
  const port = chosen?.port ?? info.port ?? LINUX_VXLAN_DEFAULT_PORT;
  const vni = chosen?.vni ?? info.id;
  const encap: Encapsulation = { type: 'vxlan', vni, outerSrc: canonicalIp(src), outerDst: canonicalIp(remote), dstPort: port, overhead: VXLAN_OVERHEAD };
  const outer: PacketHeaders = {
    src: encap.outerSrc,
    dst: encap.outerDst,
    protocol: 17,
    ttl: info.ttl !== undefined && info.ttl > 0 ? info.ttl : 64,
    length: inner.length + VXLAN_OVERHEAD,
    dstPort: port,
  };
  return {
    kind: 'ok',
    remote: encap.outerDst,
    entry: entryText,
    encap,
    outer,
    notes,
    detail: `VXLAN VNI ${vni}: outer UDP ${encap.outerSrc} → ${encap.outerDst}:${port} (source: ${srcHow}), ${inner.length} + ${VXLAN_OVERHEAD} = ${outer.length} bytes`,
  };
}

/** Result of a VXLAN datagram arriving at a netns. */
export type VxlanDecapResult =
  | { kind: 'ok'; vtep: TopoInterface; detail: string }
  | { kind: 'dropped'; reason: 'no-vtep' | 'vni-mismatch' | 'not-addressed-here' | 'link-down'; detail: string };

/** Finds the VTEP of `ns` that takes a VXLAN datagram and checks the inner frame is addressed to it. */
export function vxlanDecap(idx: TopologyIndex, ns: TopoNetns, outer: PacketHeaders, vni: number | undefined, innerDstMac: string | undefined): VxlanDecapResult {
  const vteps = idx.interfacesOf(ns.id).filter((i) => i.vxlan !== undefined);
  const port = outer.dstPort ?? LINUX_VXLAN_DEFAULT_PORT;
  const onPort = vteps.filter((v) => (v.vxlan?.port ?? LINUX_VXLAN_DEFAULT_PORT) === port);
  if (onPort.length === 0) {
    const others = vteps.map((v) => `${v.name} (port ${v.vxlan?.port ?? LINUX_VXLAN_DEFAULT_PORT})`).join(', ');
    return { kind: 'dropped', reason: 'no-vtep', detail: `no VXLAN device on ${ns.node} listens on UDP ${port}${others ? `; it has ${others}` : ''}` };
  }
  const vtep = onPort.find((v) => vni === undefined || v.vxlan?.id === vni);
  if (!vtep) {
    const have = onPort.map((v) => `${v.name} VNI ${v.vxlan?.id}`).join(', ');
    return { kind: 'dropped', reason: 'vni-mismatch', detail: `VNI ${vni} matches no VXLAN device on UDP ${port} of ${ns.node} (${have})` };
  }
  if (vtep.adminUp === false || ['DOWN', 'LOWERLAYERDOWN'].includes((vtep.operState ?? '').toUpperCase())) {
    return { kind: 'dropped', reason: 'link-down', detail: `${vtep.name} on ${ns.node} is down and does not receive` };
  }
  if (innerDstMac !== undefined && vtep.mac !== undefined && !sameMac(innerDstMac, vtep.mac)) {
    return {
      kind: 'dropped',
      reason: 'not-addressed-here',
      detail: `the inner frame is addressed to ${innerDstMac} but ${vtep.name} on ${ns.node} has MAC ${vtep.mac}: a stale neighbour/FDB entry on the sending node`,
    };
  }
  return { kind: 'ok', vtep, detail: `${vtep.name} (VNI ${vtep.vxlan?.id}, UDP ${port}) decapsulates` };
}
