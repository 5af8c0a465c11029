/**
 * The forwarding simulator: follows one packet from a captured namespace
 * through veths, bridges, routing tables and tunnels, device by device, and
 * says what became of it. Each stage lives in its own module (routeLookup,
 * neighbor, bridge, vxlan, ipip, deliver); this file only sequences them,
 * records hops and steps, and keeps breadcrumbs to catch loops.
 *
 * Where the evidence ends the trace ends too, with `exits-network` (the
 * packet leaves towards something not captured) or `insufficient-information`
 * (a fact the next step needs is missing) — never with a guess.
 */
import { ipFamily, isIp, parsePrefix, prefixContains } from '../net/ip';
import type { TopoInterface, TopoNetns, Topology } from '../topology/types';
import type { K8sService } from '../snapshot/schema';
import { indexTopology, type TopologyIndex } from '../topology/topologyIndex';
import { bridgeForward } from './bridge';
import { deliverLocally } from './deliver';
import { actsAsUnderlay, ipForwardOf, linkDownReason, rpFilterOf } from './device';
import { resolveEndpoint } from './endpoints';
import { formatRoute, formatRule } from './format';
import { ipipDecap, ipipEncap } from './ipip';
import { resolveNeighbor, underlayOwner, type NeighborResolution } from './neighbor';
import { checkGateway, lookupRoute, reversePathCheck, ruleText, selectSource, type RouteMatch } from './routeLookup';
import { forwardingHops, predictTraceroute } from './traceroute';
import { SUCCESS_DISPOSITIONS } from './types';
import type { Disposition, DropReason, Encapsulation, Hop, PacketHeaders, ServiceEndpoint, Step, Trace, TraceExit, TraceFork, TraceOptions, TraceService } from './types';
import { isKnownServiceIp, matchService, nodePortProtocol, protocolName, serviceByIp, serviceByName, servicePorts, servicesEmpty, type ServicesIndex } from '../topology/services';
import type { RouteLookup } from './routeLookup';
import { vxlanDecap, vxlanEncap } from './vxlan';

/** ICMP echo with 56 data bytes: 20 IP + 8 ICMP + 56. */
export const DEFAULT_PACKET_SIZE = 84;
/** Linux's default initial TTL (net.ipv4.ip_default_ttl). */
export const DEFAULT_TTL = 64;
/** ICMP, as ping sends. */
export const DEFAULT_PROTOCOL = 1;
/** A path longer than this is a loop the breadcrumbs missed (e.g. a bridge loop with changing MACs). */
const MAX_HOPS = 256;

/** The packet in flight: the on-wire headers, and the inner packet while encapsulated. */
interface InFlight {
  packet: PacketHeaders;
  inner?: PacketHeaders;
  encap?: Encapsulation;
}

interface Ending {
  verdict: Disposition;
  reason: string;
  dropReason?: DropReason;
  exit?: TraceExit;
}

const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';

function sameMac(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}

class Walk {
  readonly hops: Hop[] = [];
  readonly warnings: string[] = [];
  end: Ending | undefined;
  private readonly crumbs = new Set<string>();
  private readonly warned = new Set<string>();
  /** Set once kube-proxy rewrote the destination: conntrack keeps the translation, the rules are not consulted again. */
  private natted = false;
  /**
   * The bridge a DNATed packet came in by when its endpoint lies behind that same bridge: with
   * br_netfilter (bridge-nf-call-iptables=1, which Kubernetes requires) the kernel bridges the
   * rewritten frame back out instead of routing it, so no TTL is spent there.
   */
  private bridgedDnat: string | undefined;
  /** The Service the destination turned out to be, and one walk per endpoint it was DNATed to. */
  service: TraceService | undefined;
  /** The netns whose POSTROUTING masquerades the DNATed packet (kube-proxy's KUBE-MARK-MASQ matched there). */
  private masqueradeIn: string | undefined;
  /** Set when the endpoint's reply reaches the client without passing the DNAT's conntrack (no br_netfilter). */
  replyBypassesNat = false;
  forks: Array<{ endpoint: ServiceEndpoint; walk: Walk }> | undefined;

  constructor(
    private readonly idx: TopologyIndex,
    private readonly services?: ServicesIndex,
  ) {}

  /**
   * kube-proxy's KUBE-POSTROUTING: a packet KUBE-MARK-MASQ marked leaves with the
   * primary address of the device it leaves by as its source (MASQUERADE), once.
   */
  private masquerade(ns: TopoNetns, out: TopoInterface, p: PacketHeaders): { packet: PacketHeaders; note: string } {
    if (this.masqueradeIn !== ns.id) return { packet: p, note: '' };
    this.masqueradeIn = undefined;
    const a = out.addresses.find((x) => x.family === 4 && x.scope !== 'host' && x.scope !== 'link');
    if (!a || a.ip === p.src) return { packet: p, note: '' };
    return { packet: { ...p, src: a.ip }, note: `; POSTROUTING MASQUERADE (kube-proxy marked it): source ${p.src} → ${a.ip}, the address of ${out.name}` };
  }

  /** A copy of this walk so far, to continue on another path (a Service endpoint). */
  private fork(): Walk {
    const w = new Walk(this.idx, this.services);
    for (const h of this.hops) w.hops.push({ ...h, steps: [...h.steps], packet: { ...h.packet } });
    w.warnings.push(...this.warnings);
    for (const k of this.warned) w.warned.add(k);
    for (const c of this.crumbs) w.crumbs.add(c);
    w.natted = true;
    return w;
  }

  /**
   * kube-proxy's nat rules in a node's host netns (DOMAIN §6): PREROUTING for a
   * packet arriving from a pod, OUTPUT for one the host sends, both before the
   * route lookup. True when it ended the walk here (forked, dropped, or the
   * rules are missing).
   */
  private kubeProxy(ns: TopoNetns, iif: TopoInterface | null, hop: Hop, pkt: InFlight, m: RouteLookup): boolean {
    const services = this.services as ServicesIndex;
    const p = pkt.packet;
    const nodeName = this.idx.node(ns.node)?.name ?? ns.node;
    const dstLocal = m.kind === 'route' && m.route.type === 'local';
    const hook = iif ? 'PREROUTING' : 'OUTPUT';
    const portText = p.dstPort !== undefined ? `${p.dstPort}/${protocolName(p.protocol)}` : protocolName(p.protocol);
    // Whether the destination is a Service at all is asked only where an answer depends on it: most packets
    // crossing a host netns are pod traffic that no kube-proxy rule matches.
    const known = (): boolean => isKnownServiceIp(services, p.dst);
    const svc = (): K8sService | undefined => serviceByIp(services, p.dst);
    const what = (): string => {
      const s = svc();
      return s ? `the ClusterIP of ${s.namespace ?? 'default'}/${s.name}` : 'in the Service ClusterIP range';
    };
    const l4 = p.protocol === 6 || p.protocol === 17 || p.protocol === 132;
    if (!l4 && known()) {
      // kube-proxy's rules match a Service's TCP/UDP/SCTP ports only: ping to a ClusterIP is not rewritten.
      this.warn(`svc-icmp:${p.dst}`, `${p.dst} is ${what()}; kube-proxy rewrites only the Service's ports, so a ${protocolName(p.protocol)} packet to it is not DNATed and follows the routes (give --to ${p.dst}:PORT to trace the Service)`);
      return false;
    }
    const v = matchService(services, nodeName, { src: p.src, dst: p.dst, protocol: p.protocol, ...(p.dstPort !== undefined ? { dstPort: p.dstPort } : {}) }, dstLocal);
    if (v.kind === 'no-rules') {
      if (!known()) return false;
      this.insufficient(
        hop,
        `kube-proxy's rules on ${nodeName} (iptables-save -t nat)`,
        `no kube-proxy rules captured for ${p.dst} on ${nodeName}; it is ${what()}, which kube-proxy rewrites before routing, so following the routes would be wrong`,
      );
      return true;
    }
    const kp = services.kubeProxy[nodeName];
    if (kp?.mode === 'ipvs' && (v.kind !== 'no-match' || known())) {
      this.insufficient(hop, `the IPVS virtual servers of ${nodeName} (ipvsadm -Ln)`, `kube-proxy on ${nodeName} runs in IPVS mode: ${p.dst} is balanced by IPVS, whose table podnet does not read`);
      return true;
    }
    switch (v.kind) {
      case 'no-match': {
        if (!known()) return false;
        const ports = servicePorts(services, p.dst);
        const offered = ports.some((x) => x.protocol === p.protocol && x.port === p.dstPort);
        if (ports.length === 0 && !svc()) {
          this.warn(`svc-none:${p.dst}`, `${p.dst} is in the Service ClusterIP range, but no Service listed or kube-proxy rule captured has it: nothing rewrites it and the packet follows the routes`);
          return false;
        }
        if (!offered) {
          this.warn(`svc-port:${p.dst}`, `${p.dst} is ${what()}, but ${portText} is not one of its ports: kube-proxy does not rewrite it and the packet follows the routes`);
          return false;
        }
        this.insufficient(
          hop,
          `kube-proxy's rule for ${p.dst} ${portText} on ${nodeName} (iptables-save, both nat and filter tables)`,
          `no kube-proxy rules captured for ${p.dst} ${portText} on ${nodeName}${kp?.filtered ? ' (the rules were read through a filter)' : ''}; kube-proxy writes no nat rule for a Service without endpoints, and its REJECT is in the filter table`,
        );
        return true;
      }
      case 'incomplete':
        this.insufficient(hop, v.missing, v.detail);
        return true;
      case 'no-endpoints':
        this.service = { name: v.service, address: `${p.dst}${p.dstPort !== undefined ? `:${p.dstPort}` : ''}/${protocolName(p.protocol)}`, rule: v.rule };
        this.drop(hop, 'service-no-endpoints', `${v.service} (${p.dst} ${portText}) has no ready endpoints: ${v.detail} (${v.rule})`);
        return true;
      case 'dnat':
        break;
      default: {
        const never: never = v;
        throw new Error(`unhandled service verdict ${String(never)}`);
      }
    }
    const original = `${p.dst}${p.dstPort !== undefined ? `:${p.dstPort}` : ''}`;
    const endpoints: ServiceEndpoint[] = v.endpoints.map((e) => {
      // An endpoint on a node's own address (the API server, a hostNetwork pod) is that node, not whichever hostNetwork pod kubectl listed first.
      const onNode = this.idx.nodeByUnderlayAddress(e.ip);
      const pod = onNode === undefined ? this.idx.podsByIp(e.ip).find((x) => !x.hostNetwork) : undefined;
      const node = onNode?.name ?? pod?.node;
      return { ...e, ...(pod ? { pod: pod.id } : {}), ...(node !== undefined ? { node } : {}) };
    });
    const epText = (e: ServiceEndpoint): string => `${e.ip}${e.port !== undefined ? `:${e.port}` : ''}`;
    const masq = v.masquerade !== undefined ? { masquerade: v.masquerade } : {};
    const masqText = `; KUBE-MARK-MASQ matched, so the source ${p.src} is masqueraded at POSTROUTING`;
    const masqNote = v.masquerade !== undefined ? masqText : '';
    const step: Step = {
      action: 'dnat',
      outcome: 'ok',
      service: v.service,
      hook,
      original,
      rule: v.rule,
      endpoints,
      ...masq,
      detail: `${hook} → KUBE-SERVICES: ${v.service}${v.nodePort ? ' (NodePort)' : ''} at ${original} is DNATed to one of ${endpoints.length} ready endpoint${endpoints.length === 1 ? '' : 's'} (${endpoints.map(epText).join(', ')})${masqNote}`,
    };
    hop.steps.push(step);
    this.service = { name: v.service, address: `${original}/${protocolName(p.protocol)}`, rule: v.rule };
    const at = this.hops.indexOf(hop);
    this.forks = endpoints.map((ep) => {
      const child = this.fork();
      const chop = child.hops[at] as Hop;
      const epMasq = v.masquerade ?? ep.masquerade;
      chop.steps[chop.steps.length - 1] = {
        ...step,
        ...(epMasq !== undefined ? { masquerade: epMasq } : {}),
        translated: epText(ep),
        detail: `${hook}: ${v.service} ${original} → ${epText(ep)}${ep.pod ? ` (pod ${ep.pod})` : ''}, ${Math.round(ep.probability * 1000) / 10}% of new connections: ${ep.dnat}${epMasq !== undefined ? masqText : ''}`,
      };
      const next: PacketHeaders = { ...p, dst: ep.ip };
      if (ep.port !== undefined) next.dstPort = ep.port;
      if (epMasq !== undefined) child.masqueradeIn = ns.id;
      if (iif && (iif.kind === 'bridge' || iif.role === 'bridge')) {
        const r = lookupRoute(this.idx, ns, { dst: ep.ip, src: p.src, iif: iif.name });
        if (r.kind === 'route' && r.dev === iif.name) {
          const brnf = ns.sysctls['net.bridge.bridge-nf-call-iptables'];
          if (brnf === '0') {
            child.warn(
              `brnf:${ns.id}`,
              `net.bridge.bridge-nf-call-iptables=0 on ${ns.node}: ${ep.ip} answers ${p.src} straight across ${iif.name}, bypassing the conntrack that would rewrite the reply's source back to ${p.dst}; the client drops replies from ${ep.ip} (the classic broken DNS without br_netfilter)`,
            );
            child.replyBypassesNat = true;
          } else {
            if (brnf === undefined) child.warn(`brnf?:${ns.id}`, `net.bridge.bridge-nf-call-iptables of ${ns.node} is not in the evidence; the trace assumes 1, as Kubernetes requires`);
            child.bridgedDnat = iif.id;
          }
        }
      }
      child.stack(ns, iif, { ...pkt, packet: next }, undefined, iif ? undefined : chop);
      return { endpoint: ep, walk: child };
    });
    return true;
  }

  private warn(key: string, text: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warnings.push(text);
  }

  private where(hop: Hop): string {
    return `${hop.node}${hop.pod ? ` (pod ${hop.pod})` : hop.netns !== 'host' ? ` (netns ${hop.netns})` : ''} ${hop.interface}`;
  }

  /** The hop for `iface`: the current one when the packet is still at that device, else a new one. */
  private hopAt(iface: TopoInterface, pkt: InFlight): Hop {
    const last = this.hops[this.hops.length - 1];
    if (last && last.interfaceId === iface.id) return last;
    const nsId = this.idx.netnsOf(iface);
    const ns = this.idx.netns(nsId);
    const pod = ns && ns.kind !== 'host' ? (this.idx.podOfNetns(nsId)?.id ?? null) : null;
    const hop: Hop = { node: iface.node, netns: ns?.name ?? iface.netns, pod, interface: iface.name, interfaceId: iface.id, steps: [], packet: { ...pkt.packet } };
    if (pkt.encap) hop.encap = pkt.encap;
    this.hops.push(hop);
    const node = this.idx.node(iface.node);
    if (node?.datapath === 'ebpf') {
      this.warn(`ebpf:${node.id}`, `node ${node.name} forwards with eBPF programs (${node.ebpf === 'calico' ? "Calico's eBPF dataplane" : 'Cilium'}): its routing tables do not tell the whole story, so this route-based trace may not be faithful there`);
    }
    return hop;
  }

  private drop(hop: Hop, reason: DropReason, detail: string): void {
    hop.steps.push({ action: 'dropped', outcome: 'dropped', reason, detail });
    this.end = { verdict: 'dropped', dropReason: reason, reason: `dropped on ${this.where(hop)}: ${detail}` };
  }

  private insufficient(hop: Hop | undefined, missing: string, detail: string): void {
    hop?.steps.push({ action: 'insufficient-information', outcome: 'unknown', missing, detail });
    this.end = { verdict: 'insufficient-information', reason: `${hop ? `at ${this.where(hop)}: ` : ''}${detail} (missing: ${missing})` };
  }

  private loop(hop: Hop | undefined, detail: string): void {
    this.end = { verdict: 'loop', reason: `${hop ? `at ${this.where(hop)}: ` : ''}${detail}` };
  }

  private tooLong(): boolean {
    if (this.hops.length <= MAX_HOPS) return false;
    this.loop(this.hops[this.hops.length - 1], `the path exceeded ${MAX_HOPS} hops`);
    return true;
  }

  /** Starts the walk in the source namespace. */
  originate(ns: TopoNetns, packet: PacketHeaders): void {
    const pod = this.idx.podOfNetns(ns.id);
    const who = pod ? `pod ${pod.id}` : ns.kind === 'host' ? `the host netns of ${ns.node}` : `netns ${ns.name} on ${ns.node}`;
    const originated: Step = { action: 'originated', outcome: 'ok', packet: { ...packet }, detail: `${who} sends ${packet.length} bytes from ${packet.src} to ${packet.dst}` };
    this.stack(ns, null, { packet }, originated, undefined);
  }

  /** IP layer of a netns: a packet arriving by `iif` (null: generated here) is routed. */
  private stack(ns: TopoNetns, iif: TopoInterface | null, pkt: InFlight, originated: Step | undefined, originHop: Hop | undefined): void {
    if (this.tooLong()) return;
    const p = pkt.packet;
    const q = { dst: p.dst, src: p.src, iif: iif?.name };
    const m = lookupRoute(this.idx, ns, q);

    let hop: Hop;
    if (iif) hop = this.hopAt(iif, pkt);
    else if (originHop) hop = originHop;
    else {
      const dev = m.kind === 'route' && m.dev !== undefined ? this.idx.ifaceByName(ns.id, m.dev) : undefined;
      const owner = this.idx.ownersOf(p.src).find((o) => this.idx.netnsOf(o) === ns.id);
      const first = this.idx.interfacesOf(ns.id)[0];
      const at = dev ?? owner ?? first;
      if (!at) {
        this.insufficient(undefined, `the interfaces of ${ns.id}`, `netns ${ns.id} has no interfaces in the evidence`);
        return;
      }
      hop = this.hopAt(at, pkt);
    }
    if (originated) hop.steps.push(originated);

    const crumb = `${ns.id}|${iif?.id ?? '-'}|${p.src}|${p.dst}|${p.protocol}|${pkt.encap ? 'outer' : 'inner'}`;
    if (this.crumbs.has(crumb)) {
      this.loop(hop, `the packet ${p.src} → ${p.dst} came back to ${ns.id}${iif ? ` by ${iif.name}` : ''}, where it had already been routed: a forwarding loop`);
      return;
    }
    this.crumbs.add(crumb);

    if (this.services !== undefined && !this.natted && ns.kind === 'host' && pkt.encap === undefined && this.kubeProxy(ns, iif, hop, pkt, m)) return;

    // The local table follows from the addresses (the kernel adds it with them), so a packet to one of
    // this netns's own addresses is delivered even when `ip route` was not captured there: a pod
    // pasted with only `ip -o addr` still receives.
    const ownAddress = m.kind === 'route' && m.table === 'local';
    if (ns.routes.length === 0 && !ns.known.includes('routes') && !ownAddress) {
      this.insufficient(hop, `the routing table of ${ns.id} (ip route)`, `the routes of ${ns.id} are not in the evidence`);
      return;
    }
    if (ns.filtered.includes('routes')) {
      this.warn(`filtered-routes:${ns.id}`, `the routes of ${ns.id} were read through a filter (| grep); a route the filter removed could change this trace`);
    }

    switch (m.kind) {
      case 'no-route': {
        if (ns.filtered.includes('routes')) {
          this.insufficient(hop, `the unfiltered routing table of ${ns.id}`, `no route to ${p.dst} in the filtered routes of ${ns.id} (tables ${m.tables.join(', ')})`);
        } else {
          this.drop(hop, 'no-route', `no route to ${p.dst} in ${ns.id} (tables ${m.tables.join(', ') || 'none'}): network unreachable`);
        }
        return;
      }
      case 'rule-action': {
        this.drop(hop, 'rule-action', `ip rule "${formatRule(m.rule).replace('\t', ' ')}" in ${ns.id} ends the lookup with ${m.action}`);
        return;
      }
      case 'route':
        this.routed(ns, iif, hop, pkt, m);
        return;
      default: {
        const never: never = m;
        throw new Error(`unhandled lookup ${String(never)}`);
      }
    }
  }

  private routedStep(m: RouteMatch, forwarded: boolean, detail: string, nextHop?: string, outInterface?: string): Step {
    const extra = m.notes.length > 0 ? `; ${m.notes.join('; ')}` : '';
    return {
      action: 'routed',
      outcome: 'ok',
      route: formatRoute(m.route),
      table: m.table,
      ...(m.rule ? { rule: ruleText(m) } : {}),
      ...(nextHop !== undefined ? { nextHop } : {}),
      ...(outInterface !== undefined ? { outInterface } : {}),
      forwarded,
      detail: `${detail}${extra}`,
    };
  }

  private routed(ns: TopoNetns, iif: TopoInterface | null, hop: Hop, pkt: InFlight, m: RouteMatch): void {
    const p = pkt.packet;
    const route = formatRoute(m.route);
    if (m.ecmp > 1) this.warn(`ecmp:${ns.id}:${m.route.dst}`, `${ns.id}: route ${route} has ${m.ecmp} ECMP next hops; the trace follows the first`);

    // Source validation happens for local delivery and forwarding alike.
    const rpCheck = (): boolean => {
      if (!iif) return true;
      const mode = rpFilterOf(ns, iif.name);
      if (mode !== 1 && mode !== 2) return true;
      const r = reversePathCheck(this.idx, ns, p.src, p.dst, iif.name, mode);
      if (r.ok) return true;
      this.drop(hop, 'rp-filter', `${r.detail} (${ns.id})`);
      return false;
    };

    switch (m.route.type) {
      case 'local':
      case 'broadcast':
      case 'anycast': {
        hop.steps.push(this.routedStep(m, false, `${p.dst} is local to ${ns.id}: ${route} (table ${m.table})`));
        if (!rpCheck()) return;
        this.localDelivery(ns, hop, pkt);
        return;
      }
      case 'blackhole':
        hop.steps.push(this.routedStep(m, false, `${route} matches ${p.dst} (table ${m.table})`));
        this.drop(hop, 'blackhole-route', `${route} in ${ns.id} silently discards packets to ${p.dst}`);
        return;
      case 'unreachable':
        hop.steps.push(this.routedStep(m, false, `${route} matches ${p.dst} (table ${m.table})`));
        this.drop(hop, 'unreachable-route', `${route} in ${ns.id} rejects packets to ${p.dst} (ICMP host unreachable)`);
        return;
      case 'prohibit':
        hop.steps.push(this.routedStep(m, false, `${route} matches ${p.dst} (table ${m.table})`));
        this.drop(hop, 'prohibit-route', `${route} in ${ns.id} rejects packets to ${p.dst} (ICMP administratively prohibited)`);
        return;
      case 'throw':
      case 'multicast':
      case 'nat':
        this.insufficient(hop, `a model of ${m.route.type} routes`, `route ${route} in ${ns.id} has type ${m.route.type}, which podnet does not simulate`);
        return;
      case 'unicast':
        break;
      default: {
        const never: never = m.route.type;
        throw new Error(`unhandled route type ${String(never)}`);
      }
    }

    if (m.dev === undefined) {
      this.insufficient(hop, `the device of route ${route}`, `route ${route} in ${ns.id} names no device`);
      return;
    }
    const out = this.idx.ifaceByName(ns.id, m.dev);
    if (!out) {
      this.insufficient(hop, `device ${m.dev} of ${ns.id} (ip link)`, `route ${route} leaves by ${m.dev}, which is not in the evidence`);
      return;
    }
    if (m.gateway !== undefined) {
      const g = checkGateway(this.idx, ns, m.route, m.gateway, m.dev);
      if (g === 'not-connected') {
        this.insufficient(
          hop,
          `a connected route or address covering ${m.gateway} on ${m.dev}`,
          `route ${route} in ${ns.id} has gateway ${m.gateway}, which is not onlink and on no subnet of ${m.dev}; the kernel would not accept such a route, so the evidence is incomplete or inconsistent`,
        );
        return;
      }
      if (g === 'unknown') {
        this.warn(`gw:${ns.id}:${m.gateway}`, `${ns.id}: cannot confirm gateway ${m.gateway} is on a subnet of ${m.dev} (addresses or routes incomplete); assuming the kernel accepted route ${route}`);
      }
    }
    const nextHop = m.gateway ?? p.dst;
    const bridged = iif !== null && this.bridgedDnat === iif.id && m.dev === iif.name;
    if (bridged) {
      this.bridgedDnat = undefined;
      const snat = this.masquerade(ns, out, p);
      hop.steps.push(
        this.routedStep(m, false, `bridged DNAT: br_netfilter sends the rewritten frame for ${p.dst} back out ${m.dev}, the bridge it came in by, without routing it (TTL unchanged)${snat.note}`, m.gateway ?? p.dst, m.dev),
      );
      this.transmit(ns, out, m.gateway ?? p.dst, { ...pkt, packet: snat.packet }, m);
      return;
    }
    const forwarded = iif !== null;
    let next: PacketHeaders = p;
    if (forwarded) {
      const fwd = ipForwardOf(ns);
      if (fwd === false) {
        hop.steps.push(this.routedStep(m, true, `${route} would forward ${p.dst} out ${m.dev}`, nextHop, m.dev));
        this.drop(hop, 'ip-forward-disabled', `net.ipv4.ip_forward=0 in ${ns.id}: the packet arriving on ${iif.name} is not forwarded`);
        return;
      }
      if (fwd === undefined) {
        this.warn(`fwd:${ns.id}`, `net.ipv4.ip_forward of ${ns.id} is not in the evidence; the trace assumes forwarding is on`);
      }
      if (!rpCheck()) return;
      if (p.ttl <= 1) {
        hop.steps.push(this.routedStep(m, true, `${route} would forward ${p.dst} out ${m.dev}`, nextHop, m.dev));
        this.drop(hop, 'ttl-exceeded', `TTL ${p.ttl} expires in ${ns.id} (ICMP time exceeded)`);
        return;
      }
      next = { ...p, ttl: p.ttl - 1 };
    }
    const via = m.gateway !== undefined ? `via ${m.gateway}` : `directly (${p.dst} is on-link)`;
    const snat = this.masquerade(ns, out, next);
    next = snat.packet;
    hop.steps.push(
      this.routedStep(m, forwarded, `${forwarded ? 'forwarded' : 'sent'} out ${m.dev} ${via}: ${route}${m.table !== 'main' ? ` (table ${m.table})` : ''}${forwarded ? `, TTL ${p.ttl} → ${next.ttl}` : ''}${snat.note}`, nextHop, m.dev),
    );
    this.transmit(ns, out, nextHop, { ...pkt, packet: next }, m);
  }

  private localDelivery(ns: TopoNetns, hop: Hop, pkt: InFlight): void {
    const d = deliverLocally(this.idx, ns, pkt.packet, pkt.encap);
    switch (d.kind) {
      case 'delivered':
        hop.steps.push({ action: 'delivered', outcome: 'ok', address: d.address, detail: d.detail });
        this.end = { verdict: 'delivered', reason: `${d.detail} on ${ns.node}` };
        return;
      case 'decap-vxlan': {
        const inner = pkt.inner;
        if (!inner) throw new Error('outer VXLAN packet without inner packet');
        const r = vxlanDecap(this.idx, ns, pkt.packet, d.encap.vni, inner.dstMac);
        if (r.kind === 'dropped') {
          this.drop(hop, r.reason, r.detail);
          return;
        }
        const vhop = this.hopAt(r.vtep, { packet: inner });
        vhop.steps.push({ action: 'decapsulated', outcome: 'ok', encap: d.encap, inner: { ...inner }, detail: r.detail });
        this.stack(ns, r.vtep, { packet: inner }, undefined, undefined);
        return;
      }
      case 'decap-ipip': {
        const inner = pkt.inner;
        if (!inner) throw new Error('outer IPIP packet without inner packet');
        const r = ipipDecap(this.idx, ns, pkt.packet);
        if (r.kind === 'dropped') {
          this.drop(hop, r.reason, r.detail);
          return;
        }
        const thop = this.hopAt(r.tunnel, { packet: inner });
        thop.steps.push({ action: 'decapsulated', outcome: 'ok', encap: d.encap, inner: { ...inner }, detail: r.detail });
        this.stack(ns, r.tunnel, { packet: inner }, undefined, undefined);
        return;
      }
      default: {
        const never: never = d;
        throw new Error(`unhandled delivery ${String(never)}`);
      }
    }
  }

  /** DF is set (ping -M do, Kubernetes traffic): a packet above the device's MTU is dropped. */
  private mtuOk(hop: Hop, out: TopoInterface, length: number, routeMtu?: number): boolean {
    const limits: Array<[number, string]> = [];
    if (out.mtu !== undefined) limits.push([out.mtu, `the MTU ${out.mtu} of ${out.name}`]);
    if (routeMtu !== undefined && routeMtu > 0) limits.push([routeMtu, `the route's mtu ${routeMtu}`]);
    for (const [mtu, what] of limits) {
      if (length > mtu) {
        // ping -M do prints the error's source: the address this netns picks for replying to the sender.
        const ns = hop.encap === undefined ? this.idx.netns(this.idx.netnsOf(out)) : undefined;
        const from = ns ? selectSource(this.idx, ns, hop.packet.src) : null;
        const icmp = from && from.ip !== hop.packet.src ? `ICMP fragmentation needed, mtu = ${mtu}, from ${from.ip}` : 'ICMP fragmentation needed';
        this.drop(hop, 'mtu-exceeded', `a ${length}-byte packet exceeds ${what} on ${out.node} (DF set: ${icmp})`);
        return false;
      }
    }
    return true;
  }

  private transmit(ns: TopoNetns, out: TopoInterface, nextHop: string, pkt: InFlight, m: RouteMatch): void {
    const hop = this.hopAt(out, pkt);
    const down = linkDownReason(out);
    if (down) {
      this.drop(hop, 'link-down', `${down} on ${out.node}: it cannot send`);
      return;
    }
    if (out.vxlan !== undefined || out.kind === 'vxlan') {
      this.vxlanOut(ns, out, hop, nextHop, pkt, m);
      return;
    }
    if (out.kind === 'ipip' || out.tunnel?.mode === 'ipip') {
      this.ipipOut(ns, out, hop, pkt, m);
      return;
    }
    switch (out.kind) {
      case 'wireguard':
        // Where the packet goes is in the peers' allowed IPs and endpoints (`wg show`), which no
        // iproute2 command prints: the route only says that it is encrypted.
        this.insufficient(
          hop,
          `the WireGuard peers of ${out.name} on ${out.node} (wg show: endpoint and allowed ips)`,
          `${out.name} is a WireGuard device: the packet leaves encrypted (UDP) for the peer whose allowed IPs hold ${pkt.packet.dst}, and podnet does not model WireGuard peers`,
        );
        return;
      case 'gre':
      case 'geneve':
      case 'tun':
        this.insufficient(hop, `a model of ${out.kind} devices`, `${out.name} is a ${out.kind} device, which podnet does not simulate`);
        return;
      case 'loopback':
        hop.steps.push({ action: 'transmitted', outcome: 'ok', interface: out.name, ...(out.mtu !== undefined ? { mtu: out.mtu } : {}), detail: `looped back on ${out.name}` });
        this.stack(ns, out, pkt, undefined, undefined);
        return;
      default:
        break;
    }
    if (!this.mtuOk(hop, out, pkt.packet.length, m.route.mtu)) return;
    const res = resolveNeighbor(this.idx, ns, out, nextHop);
    if (!this.neighborStep(hop, nextHop, res)) return;
    const mac = res.kind === 'entry' || res.kind === 'arp' || res.kind === 'outside' ? res.mac : undefined;
    const framed: InFlight = { ...pkt, packet: { ...pkt.packet, ...(out.mac !== undefined ? { srcMac: out.mac } : {}), ...(mac !== undefined ? { dstMac: mac } : {}) } };
    if (mac === undefined) delete framed.packet.dstMac;
    if (!actsAsUnderlay(this.idx, out) && (out.kind === 'veth' || out.role === 'pod-veth' || out.role === 'host-veth')) {
      this.vethOut(out, hop, framed, nextHop);
      return;
    }
    if (out.kind === 'bridge' || out.role === 'bridge') {
      this.bridgeOut(ns, out, hop, framed, nextHop);
      return;
    }
    this.underlayOut(out, hop, framed, nextHop, res);
  }

  /** Records neighbour resolution; false when it ended the trace. */
  private neighborStep(hop: Hop, ip: string, res: NeighborResolution): boolean {
    switch (res.kind) {
      case 'entry':
        hop.steps.push({ action: 'neighbor-resolved', outcome: 'ok', ip, mac: res.mac, entry: res.entry, detail: res.detail });
        return true;
      case 'arp':
        hop.steps.push({ action: 'neighbor-resolved', outcome: 'ok', ip, mac: res.mac ?? 'unknown', entry: '', detail: res.detail });
        return true;
      case 'not-needed':
      case 'outside':
        return true;
      case 'unresolved':
        this.drop(hop, 'neighbor-unresolved', res.detail);
        return false;
      case 'unknown':
        this.insufficient(hop, res.missing, res.detail);
        return false;
      default: {
        const never: never = res;
        throw new Error(`unhandled neighbour resolution ${String(never)}`);
      }
    }
  }

  private vethOut(out: TopoInterface, hop: Hop, pkt: InFlight, nextHop: string): void {
    hop.steps.push({ action: 'transmitted', outcome: 'ok', interface: out.name, ...(out.mtu !== undefined ? { mtu: out.mtu } : {}), detail: `sent by ${out.name}` });
    const peer = this.idx.peerOf(out);
    if (!peer) {
      this.insufficient(hop, `the veth peer of ${out.name} on ${out.node}`, `${out.name} is a veth whose other end is not in the evidence${out.peer?.evidence ? ` (${out.peer.evidence})` : ''}`);
      return;
    }
    const how = out.peer?.state === 'inferred' ? `inferred pairing: ${out.peer.evidence}` : (out.peer?.evidence ?? 'paired');
    hop.steps.push({ action: 'veth-crossed', outcome: 'ok', peer: peer.id, evidence: how, detail: `crosses the veth to ${peer.name} in ${this.idx.netnsOf(peer)}${out.peer?.state === 'inferred' ? ' (pairing inferred)' : ''}` });
    this.receive(peer, pkt, nextHop);
  }

  private receive(iface: TopoInterface, pkt: InFlight, nextHop: string): void {
    if (this.tooLong()) return;
    const hop = this.hopAt(iface, pkt);
    const p = pkt.packet;
    const crumb = `rx|${iface.id}|${p.src}|${p.dst}|${p.ttl}|${pkt.encap ? 'outer' : 'inner'}`;
    if (this.crumbs.has(crumb)) {
      this.loop(hop, `the frame for ${p.dst} reached ${iface.name} again: an L2 loop`);
      return;
    }
    this.crumbs.add(crumb);
    hop.steps.push({ action: 'received', outcome: 'ok', interface: iface.name, packet: { ...p }, detail: `received on ${iface.name}` });
    const down = linkDownReason(iface);
    if (down) {
      this.drop(hop, 'link-down', `${down} on ${iface.node}: it cannot receive`);
      return;
    }
    // A veth drops frames larger than its own MTU (is_skb_forwardable).
    if (iface.kind === 'veth' && iface.mtu !== undefined && p.length > iface.mtu) {
      this.drop(hop, 'mtu-exceeded', `a ${p.length}-byte packet exceeds the MTU ${iface.mtu} of the receiving veth ${iface.name} on ${iface.node}`);
      return;
    }
    const ns = this.idx.netns(this.idx.netnsOf(iface));
    if (!ns) {
      this.insufficient(hop, `netns ${this.idx.netnsOf(iface)}`, `the namespace of ${iface.name} is not in the evidence`);
      return;
    }
    const ebpfNode = ns.kind === 'host' ? this.idx.node(iface.node) : undefined;
    if (ebpfNode?.datapath === 'ebpf') {
      // Cilium's tc programs on lxc*/cilium_vxlan/the NIC (or Calico's on cali*/bpfin.cali) redirect
      // packets from their own maps (endpoints, tunnel, policy) before the routing table is
      // consulted: following the routes from here would draw a path the packet may not take.
      const who = ebpfNode.ebpf === 'calico' ? "Calico's eBPF dataplane" : "Cilium's eBPF datapath";
      this.insufficient(
        hop,
        `a model of ${who} on ${iface.node}`,
        `${iface.name} on ${iface.node} hands the packet to ${who}, whose programs forward it from their own maps rather than the routing table; a route-based trace from here would be a guess`,
      );
      return;
    }
    if (iface.master !== undefined) {
      const bridge = this.idx.iface(iface.master) ?? this.idx.ifaceByName(ns.id, iface.master);
      if (!bridge) {
        this.insufficient(hop, `bridge ${iface.master} on ${iface.node}`, `${iface.name} is a port of ${iface.master}, which is not in the evidence`);
        return;
      }
      const bdown = linkDownReason(bridge);
      if (bdown) {
        this.drop(hop, 'link-down', `${bdown} on ${bridge.node}: the bridge does not forward`);
        return;
      }
      const d = bridgeForward(this.idx, ns, bridge, iface, { dstMac: p.dstMac, nextHop });
      switch (d.kind) {
        case 'to-host': {
          hop.steps.push({ action: 'bridged', outcome: 'ok', bridge: bridge.name, toHost: true, ...(d.entry ? { entry: d.entry } : {}), detail: d.detail });
          const bhop = this.hopAt(bridge, pkt);
          bhop.steps.push({ action: 'received', outcome: 'ok', interface: bridge.name, packet: { ...p }, detail: `the host stack receives it on ${bridge.name}` });
          this.stack(ns, bridge, pkt, undefined, undefined);
          return;
        }
        case 'port':
          hop.steps.push({ action: 'bridged', outcome: 'ok', bridge: bridge.name, outPort: d.port.name, toHost: false, ...(d.entry ? { entry: d.entry } : {}), detail: d.detail });
          this.portOut(d.port, pkt, nextHop);
          return;
        case 'nobody':
          this.drop(hop, 'not-addressed-here', d.detail);
          return;
        case 'unknown':
          this.insufficient(hop, d.missing, d.detail);
          return;
        default: {
          const never: never = d;
          throw new Error(`unhandled bridge decision ${String(never)}`);
        }
      }
    }
    if (p.dstMac !== undefined && iface.mac !== undefined && !sameMac(p.dstMac, iface.mac) && !sameMac(p.dstMac, BROADCAST_MAC)) {
      this.drop(hop, 'not-addressed-here', `the frame is addressed to ${p.dstMac} but ${iface.name} on ${iface.node} has MAC ${iface.mac}: a stale neighbour entry on the sender`);
      return;
    }
    this.stack(ns, iface, pkt, undefined, undefined);
  }

  private portOut(port: TopoInterface, pkt: InFlight, nextHop: string): void {
    const hop = this.hopAt(port, pkt);
    const down = linkDownReason(port);
    if (down) {
      this.drop(hop, 'link-down', `${down} on ${port.node}: it cannot send`);
      return;
    }
    if (!this.mtuOk(hop, port, pkt.packet.length)) return;
    if (port.kind === 'veth' || port.role === 'host-veth') {
      this.vethOut(port, hop, pkt, nextHop);
      return;
    }
    this.insufficient(hop, `what lies beyond ${port.name}`, `${port.name} is a ${port.kind ?? 'non-veth'} port of a bridge; podnet cannot follow the frame past it`);
  }

  private bridgeOut(ns: TopoNetns, bridge: TopoInterface, hop: Hop, pkt: InFlight, nextHop: string): void {
    const d = bridgeForward(this.idx, ns, bridge, null, { dstMac: pkt.packet.dstMac, nextHop });
    switch (d.kind) {
      case 'port':
        hop.steps.push({ action: 'bridged', outcome: 'ok', bridge: bridge.name, outPort: d.port.name, toHost: false, ...(d.entry ? { entry: d.entry } : {}), detail: d.detail });
        this.portOut(d.port, pkt, nextHop);
        return;
      case 'to-host':
        this.loop(hop, `the host sent a frame through ${bridge.name} addressed to itself`);
        return;
      case 'nobody':
        this.drop(hop, 'not-addressed-here', d.detail);
        return;
      case 'unknown':
        this.insufficient(hop, d.missing, d.detail);
        return;
      default: {
        const never: never = d;
        throw new Error(`unhandled bridge decision ${String(never)}`);
      }
    }
  }

  private underlayOut(out: TopoInterface, hop: Hop, pkt: InFlight, nextHop: string, res: NeighborResolution): void {
    const owner = res.kind === 'arp' ? res.answerer : underlayOwner(this.idx, out, nextHop);
    hop.steps.push({ action: 'transmitted', outcome: 'ok', interface: out.name, ...(out.mtu !== undefined ? { mtu: out.mtu } : {}), detail: `sent by ${out.name} towards ${nextHop}` });
    if (owner) {
      this.receive(owner, pkt, nextHop);
      return;
    }
    this.exit(out, hop, pkt, nextHop, res);
  }

  private exit(out: TopoInterface, hop: Hop, pkt: InFlight, nextHop: string, res: NeighborResolution): void {
    const p = pkt.packet;
    const nodes = this.idx.topology.nodes;
    const hopNode = this.idx.nodeByUnderlayAddress(nextHop);
    const dstNode = this.idx.nodeByUnderlayAddress(p.dst);
    if (hopNode === undefined && dstNode?.captured && pkt.encap !== undefined) {
      // Nodes in different subnets (cloud zones, racks): the tunnel packet goes to the default
      // gateway, and the routers between only ever see the outer header — they do not touch the
      // inner packet's TTL, so they are invisible to the pod's traceroute. Following the packet to
      // the node that owns its outer destination is what every overlay relies on.
      const holder = this.idx.ownersOf(p.dst).find((o) => o.node === dstNode.id);
      if (holder) {
        this.warn(
          `routed-underlay:${out.node}:${dstNode.id}`,
          `${out.node} reaches ${dstNode.name} (${p.dst}) through the gateway ${nextHop}, which the evidence does not cover; the trace assumes the network between delivers the ${pkt.encap.type.toUpperCase()} packet`,
        );
        // The last router on the way re-frames the packet: it arrives addressed to the holder's own MAC, not the gateway's.
        const reframed: PacketHeaders = { ...p };
        delete reframed.srcMac;
        if (holder.mac !== undefined) reframed.dstMac = holder.mac;
        else delete reframed.dstMac;
        this.receive(holder, { ...pkt, packet: reframed }, p.dst);
        return;
      }
    }
    const byAddr = hopNode ?? dstNode;
    const innerDst = (pkt.inner ?? p).dst;
    const byCidr = nodes.find((n) => !n.captured && n.podCidrs.some((c) => cidrHolds(c, innerDst)));
    // Without the node's podCIDR (Calico blocks, a node seen only in kubectl), the destination pod's
    // NODE column still says where the packet is headed.
    const podNodes = [...new Set(this.idx.podsByIp(innerDst).filter((x) => !x.hostNetwork && x.node !== undefined).map((x) => x.node as string))];
    const byPod = podNodes.length === 1 ? nodes.find((n) => !n.captured && (n.id === podNodes[0] || n.name === podNodes[0])) : undefined;
    const uncovered = byAddr && !byAddr.captured ? byAddr : (byCidr ?? byPod);
    if (byAddr && byAddr.captured && byAddr !== hopNode) {
      this.insufficient(
        hop,
        `the router ${nextHop} between ${out.node} and ${byAddr.name}`,
        `${p.dst} is node ${byAddr.name}, but ${out.node} reaches it through ${nextHop}, a router the evidence does not cover (it would answer traceroute as a hop of its own)`,
      );
      return;
    }
    if (byAddr && byAddr.captured) {
      const holder = this.idx.ownersOf(nextHop).find((o) => o.node === byAddr.id);
      this.insufficient(
        hop,
        holder ? `a link between ${out.name} on ${out.node} and ${holder.name} on ${byAddr.name}` : `the interface of ${byAddr.name} holding ${nextHop}`,
        holder
          ? `${nextHop} is on ${holder.name} of captured node ${byAddr.name}, but on no subnet ${out.name} shares; the path between them is not in the evidence`
          : `${nextHop} is an address of captured node ${byAddr.name}, but no captured interface there holds it`,
      );
      return;
    }
    const towards = uncovered ? uncovered.name : nextHop;
    const exit: TraceExit = { node: out.node, interface: out.name, nextHop, towards, ...(uncovered ? { uncoveredNode: uncovered.name } : {}) };
    const what = uncovered ? `node ${uncovered.name}, which was not captured` : `${nextHop}, which no captured namespace owns`;
    const detail = `leaves ${out.node} by ${out.name} towards ${what}${res.kind === 'outside' ? ` (${res.detail})` : ''}; the evidence does not cover what happens there`;
    hop.steps.push({ action: 'exited', outcome: 'ok', nextHop, towards, detail });
    this.end = { verdict: 'exits-network', exit, reason: `${p.dst !== nextHop ? `${p.dst} ` : ''}leaves ${out.node} by ${out.name} towards ${towards === nextHop ? nextHop : `${towards} (${nextHop})`}; the evidence does not cover ${uncovered ? `node ${uncovered.name}` : nextHop}` };
  }

  private vxlanOut(ns: TopoNetns, vtep: TopoInterface, hop: Hop, nextHop: string, pkt: InFlight, m: RouteMatch): void {
    if (!this.mtuOk(hop, vtep, pkt.packet.length, m.route.mtu)) return;
    let res = resolveNeighbor(this.idx, ns, vtep, nextHop);
    if (res.kind === 'unresolved' && m.gateway === undefined) {
      // A route straight onto the VTEP (`10.244.0.0/16 dev flannel.1`, flannel before 0.9) needs a
      // neighbour per remote pod, which the agent adds when the kernel reports an l3miss; the
      // snapshot does not say whether the device reports misses, so a missing entry proves nothing.
      res = {
        kind: 'unknown',
        missing: `whether ${vtep.name} on ${vtep.node} reports l3miss to an agent that adds ${nextHop} (ip -d link: l3miss)`,
        detail: `no neighbour entry for ${nextHop} on ${vtep.name}, and the route has no gateway: such entries are added on demand (l3miss) by setups like flannel before 0.9`,
      };
    }
    if (!this.neighborStep(hop, nextHop, res)) return;
    const mac = res.kind === 'entry' || res.kind === 'arp' ? res.mac : undefined;
    const inner: PacketHeaders = { ...pkt.packet, ...(vtep.mac !== undefined ? { srcMac: vtep.mac } : {}), ...(mac !== undefined ? { dstMac: mac } : {}) };
    const e = vxlanEncap(this.idx, ns, vtep, inner, mac);
    switch (e.kind) {
      case 'fdb-missing':
        this.drop(hop, 'fdb-missing', e.detail);
        return;
      case 'unknown':
        this.insufficient(hop, e.missing, e.detail);
        return;
      case 'ok':
        break;
      default: {
        const never: never = e;
        throw new Error(`unhandled vxlan encap ${String(never)}`);
      }
    }
    hop.steps.push({ action: 'fdb-resolved', outcome: 'ok', mac: mac ?? 'unknown', remote: e.remote, entry: e.entry, detail: [`FDB ${e.entry}: the VTEP for ${mac ?? 'the frame'} is ${e.remote}`, ...e.notes].join('; ') });
    hop.steps.push({ action: 'encapsulated', outcome: 'ok', encap: e.encap, inner, outer: { ...e.outer }, detail: e.detail });
    hop.encap = e.encap;
    if (vtep.vxlan?.dev !== undefined) {
      const r = lookupRoute(this.idx, ns, { dst: e.remote, src: e.outer.src });
      if (r.kind === 'route' && r.dev !== undefined && r.dev !== vtep.vxlan.dev && r.route.type === 'unicast') {
        this.warn(`vxlan-dev:${vtep.id}`, `${vtep.name} on ${vtep.node} is bound to ${vtep.vxlan.dev} but the route to ${e.remote} leaves by ${r.dev}`);
      }
    }
    this.stack(ns, null, { packet: e.outer, inner, encap: e.encap }, undefined, hop);
  }

  private ipipOut(ns: TopoNetns, tun: TopoInterface, hop: Hop, pkt: InFlight, m: RouteMatch): void {
    if (!this.mtuOk(hop, tun, pkt.packet.length, m.route.mtu)) return;
    const e = ipipEncap(this.idx, ns, tun, pkt.packet, m.gateway);
    if (e.kind === 'unknown') {
      this.insufficient(hop, e.missing, e.detail);
      return;
    }
    hop.steps.push({ action: 'encapsulated', outcome: 'ok', encap: e.encap, inner: { ...pkt.packet }, outer: { ...e.outer }, detail: e.detail });
    hop.encap = e.encap;
    this.stack(ns, null, { packet: e.outer, inner: pkt.packet, encap: e.encap }, undefined, hop);
  }
}

/** True when a node's podCIDR (`10.244.2.0/24`) holds `ip`. */
function cidrHolds(cidr: string, ip: string): boolean {
  const p = parsePrefix(cidr);
  return p !== null && prefixContains(p, ip);
}

/**
 * Traces one packet from `from` to `to` over a topology. `from` must be an
 * address (or pod, or node) of a captured namespace; `to` may be anything.
 * Never throws on user data: unknown endpoints and missing evidence become
 * an `insufficient-information` verdict.
 */
export function trace(topology: Topology, from: string, to: string, options: TraceOptions = {}): Trace {
  const idx = indexTopology(topology);
  const size = options.size ?? DEFAULT_PACKET_SIZE;
  const ttl = options.ttl ?? DEFAULT_TTL;
  const given = options.services ?? topology.services;
  const services = servicesEmpty(given) ? undefined : given;
  const target = serviceDestination(services, to, options);
  const protocol = target.protocol ?? DEFAULT_PROTOCOL;
  const src = resolveEndpoint(idx, from, 'from');
  const dst = target.error !== undefined ? { ok: false as const, endpoint: { input: to, ip: '' }, reason: target.error } : resolveEndpoint(idx, target.address, 'to');
  if (dst.ok) dst.endpoint.input = to;
  const fail = (reason: string): Trace => ({ from: src.endpoint, to: dst.endpoint, size, verdict: 'insufficient-information', reason, hops: [], traceroute: [], warnings: [] });
  if (!src.ok || !dst.ok) return fail([src.ok ? '' : src.reason, dst.ok ? '' : dst.reason].filter(Boolean).join('; '));
  if (!src.netns) return fail(`source ${from} is not in a captured namespace`);
  if (ipFamily(src.endpoint.ip) !== ipFamily(dst.endpoint.ip)) return fail(`source ${src.endpoint.ip} and destination ${dst.endpoint.ip} are of different address families`);
  if (!Number.isInteger(size) || size < 20 || size > 65535) return fail(`packet size ${size} is not a valid IP packet length (20–65535)`);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 255) return fail(`TTL ${ttl} is not in 1–255`);

  if (src.netns.kind === 'host' && !isIp(from.trim())) {
    // A node (or a hostNetwork pod) named rather than given by address sends from whatever source
    // the kernel selects for this destination — flannel.1's address towards a remote podCIDR, not
    // the first address the node lists (often a NAT NIC shared by every VM of a lab).
    const sel = selectSource(idx, src.netns, dst.endpoint.ip);
    if (sel) src.endpoint.ip = sel.ip;
  }
  const walk = new Walk(idx, services);
  for (const w of target.warnings) walk.warnings.push(w);
  const packet: PacketHeaders = { src: src.endpoint.ip, dst: dst.endpoint.ip, protocol, ttl, length: size };
  if (target.port !== undefined) packet.dstPort = target.port;
  walk.originate(src.netns, packet);
  if (walk.forks !== undefined && walk.service !== undefined) return forkedTrace(idx, walk, walk.service, walk.forks, src.endpoint, dst.endpoint, size);
  const end = walk.end ?? { verdict: 'insufficient-information' as const, reason: 'the trace stopped without a verdict' };
  const result: Trace = {
    from: src.endpoint,
    to: dst.endpoint,
    size,
    verdict: end.verdict,
    reason: end.reason,
    ...(end.dropReason ? { dropReason: end.dropReason } : {}),
    ...(end.exit ? { exit: end.exit } : {}),
    hops: walk.hops,
    traceroute: [],
    warnings: walk.warnings,
  };
  if (walk.service) result.service = walk.service;
  result.traceroute = predictTraceroute(idx, result);
  return result;
}

/** What `--to` names once Services are taken into account: the address, and the port and protocol to send to. */
interface ServiceDestination {
  address: string;
  port?: number;
  protocol?: number;
  warnings: string[];
  error?: string;
}

/**
 * `svc/NAMESPACE/NAME[:PORT]`, `IP:PORT`, or a plain destination. A Service
 * address traced without a port gets the Service's first port (kube-proxy
 * rewrites only its ports; an ICMP echo to a ClusterIP goes nowhere useful).
 */
function serviceDestination(services: ServicesIndex | undefined, to: string, options: TraceOptions): ServiceDestination {
  const out: ServiceDestination = { address: to.trim(), warnings: [] };
  let port = options.dstPort;
  const svcRef = /^(?:svc|service)\/([^:]+?)(?::(\d{1,5}))?$/.exec(out.address);
  if (svcRef) {
    const ref = svcRef[1] as string;
    const svc = services ? serviceByName(services, ref) : undefined;
    if (!svc) return { ...out, error: `no Service ${ref} in the evidence (kubectl get svc -A lists them)` };
    if (svc.clusterIp === undefined) return { ...out, error: `Service ${ref} is headless (ClusterIP None): clients reach its pods directly; trace to a pod instead` };
    out.address = svc.clusterIp;
    if (svcRef[2] !== undefined) port = Number(svcRef[2]);
  } else {
    const ipPort = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(out.address);
    if (ipPort) {
      out.address = ipPort[1] as string;
      port = Number(ipPort[2]);
    }
  }
  if (port !== undefined && (port < 1 || port > 65535)) return { ...out, error: `port ${port} is not in 1–65535` };
  let protocol = options.protocol;
  if (services && isIp(out.address) && protocol === undefined) {
    const ports = servicePorts(services, out.address);
    const pick = port !== undefined ? ports.find((p) => p.port === port) : ports[0];
    if (pick) {
      protocol = pick.protocol;
      if (port === undefined && ports.length > 1) {
        out.warnings.push(
          `${out.address} is a Service with ports ${ports.map((p) => `${p.port}/${protocolName(p.protocol)}`).join(', ')}; tracing ${pick.port}/${protocolName(pick.protocol)} (give --to ${out.address}:PORT to choose)`,
        );
      }
      port = pick.port;
    } else if (port !== undefined) {
      const np = nodePortProtocol(services, port);
      if (np !== undefined) protocol = np;
    }
  }
  // A port without a protocol: TCP, what curl and most clients use.
  if (port !== undefined && protocol === undefined) protocol = 6;
  if (port !== undefined) out.port = port;
  if (protocol !== undefined) out.protocol = protocol;
  return out;
}

/**
 * traceroute whose probes kube-proxy DNATs (`-U -p 53`, `-T -p 443`: one
 * conntrack entry for every probe of the run). Every ICMP error about the
 * probe — time exceeded from any router after the DNAT, port unreachable
 * from the endpoint — returns through the DNAT node's conntrack, which
 * rewrites the error's outer source too (nf_nat_icmp_reply_translation), so
 * each line from the DNAT on shows the Service address, as the kernel lab
 * prints it. Without br_netfilter an endpoint on the client's own bridge
 * answers past conntrack, and traceroute waits in vain for the last line.
 */
function serviceTraceroute(idx: TopologyIndex, w: Walk, dnatHop: number, verdict: Disposition, from: Trace['from'], to: Trace['to']): string[] {
  const fwd = forwardingHops({ hops: w.hops });
  const lines = predictTraceroute(idx, { hops: w.hops, verdict, from, to });
  const out = lines.map((a, i) => {
    const h = fwd[i];
    const afterDnat = h === undefined || w.hops.indexOf(h.hop) >= dnatHop;
    return afterDnat && a !== '*' && a !== '?' ? to.ip : a;
  });
  if (w.replyBypassesNat && verdict === 'delivered') out[out.length - 1] = '*';
  return out;
}

const SEVERITY: Disposition[] = ['dropped', 'loop', 'insufficient-information'];

/** A trace that kube-proxy forked: one sub-trace per endpoint, and a verdict that summarises them. */
function forkedTrace(
  idx: TopologyIndex,
  walk: Walk,
  service: TraceService,
  forks: Array<{ endpoint: ServiceEndpoint; walk: Walk }>,
  from: Trace['from'],
  to: Trace['to'],
  size: number,
): Trace {
  const done: TraceFork[] = forks.map(({ endpoint, walk: w }) => {
    const end = w.end ?? { verdict: 'insufficient-information' as const, reason: 'the trace stopped without a verdict' };
    const f: TraceFork = { endpoint, verdict: end.verdict, reason: end.reason, hops: w.hops, traceroute: [], warnings: w.warnings };
    if (end.dropReason) f.dropReason = end.dropReason;
    if (end.exit) f.exit = end.exit;
    f.traceroute = serviceTraceroute(idx, w, walk.hops.length - 1, f.verdict, from, to);
    return f;
  });
  const ep = (f: TraceFork): string => `${f.endpoint.ip}${f.endpoint.port !== undefined ? `:${f.endpoint.port}` : ''}${f.endpoint.pod ? ` (${f.endpoint.pod})` : ''}`;
  const ok = done.filter((f) => SUCCESS_DISPOSITIONS.has(f.verdict));
  const worst = SEVERITY.map((v) => done.find((f) => f.verdict === v)).find((f) => f !== undefined);
  let verdict: Disposition;
  let reason: string;
  let dropReason: DropReason | undefined;
  const n = done.length;
  if (!worst) {
    verdict = done.every((f) => f.verdict === 'delivered') ? 'delivered' : 'exits-network';
    reason = `${service.name} at ${service.address}: ${verdict === 'delivered' ? `delivered to ${n === 1 ? 'its endpoint' : `all ${n} endpoints`}` : `reaches ${n === 1 ? 'its endpoint' : `all ${n} endpoints`} or leaves the evidence towards them`} (${done.map(ep).join(', ')})`;
  } else {
    verdict = worst.verdict;
    if (worst.dropReason) dropReason = worst.dropReason;
    const bad = done.filter((f) => !SUCCESS_DISPOSITIONS.has(f.verdict));
    reason = `${service.name} at ${service.address}: ${ok.length === 0 ? (n === 1 ? 'its endpoint fails' : `all ${n} endpoints fail`) : `${ok.length} of ${n} endpoints reached`}; ${bad.map((f) => `${ep(f)}: ${f.verdict}: ${f.reason}`).join('; ')}`;
  }
  const warnings = [...walk.warnings];
  for (const f of done) for (const w of f.warnings) if (!warnings.includes(w)) warnings.push(w);
  const first = done[0]?.traceroute ?? [];
  let common = first.length;
  for (const f of done) {
    let i = 0;
    while (i < common && f.traceroute[i] === first[i]) i++;
    common = i;
  }
  const result: Trace = { from, to, size, verdict, reason, hops: walk.hops, traceroute: first.slice(0, common), warnings, service, forks: done };
  if (dropReason) result.dropReason = dropReason;
  return result;
}
