/**
 * Services (DOMAIN §6): what kube-proxy does to a packet addressed to a
 * ClusterIP or a NodePort, read from its own rules as iptables-save printed
 * them. kube-proxy (iptables mode) DNATs in the nat table: PREROUTING (from a
 * pod) or OUTPUT (from the host) → KUBE-SERVICES → KUBE-SVC-<hash> → one
 * KUBE-SEP-<hash> per ready endpoint, picked with `statistic --mode random
 * --probability`; a Service without endpoints gets a REJECT in the filter
 * table instead. The index is plain data (JSON-safe), so it can ride on a
 * Topology; each node's rules are parsed on first use.
 */
import type { K8sEndpoints, K8sService, Snapshot } from '../snapshot/schema';
import { canonicalIp, isIp, parsePrefix, prefixContains } from '../net/ip';

/** One node's kube-proxy rules, verbatim. */
export interface NodeKubeProxy {
  mode?: 'iptables' | 'ipvs' | 'nftables';
  nat: string[];
  filter: string[];
  /** Read through a filter that may have removed chains. */
  filtered: boolean;
}

/** Every Service fact of the evidence: kube-proxy rules per node, and what kubectl listed. */
export interface ServicesIndex {
  /** By node name. */
  kubeProxy: Record<string, NodeKubeProxy>;
  services: K8sService[];
  endpoints: K8sEndpoints[];
  serviceCidrs: string[];
}

/** Collects the Service facts of node snapshots, one per node (buildTopology's choice of each node's latest). */
export function buildServices(snapshots: readonly Snapshot[]): ServicesIndex {
  const index: ServicesIndex = { kubeProxy: {}, services: [], endpoints: [], serviceCidrs: [] };
  const byName = [...snapshots].sort((a, b) => (a.node.name < b.node.name ? -1 : a.node.name > b.node.name ? 1 : 0));
  for (const snap of byName) {
    const name = snap.node.name;
    const k = snap.kubernetes;
    if (!k) continue;
    if (k.kubeProxy && ((k.kubeProxy.nat?.length ?? 0) > 0 || (k.kubeProxy.filter?.length ?? 0) > 0)) {
      const kp: NodeKubeProxy = { nat: k.kubeProxy.nat ?? [], filter: k.kubeProxy.filter ?? [], filtered: k.kubeProxy.filtered === true };
      if (k.kubeProxy.mode) kp.mode = k.kubeProxy.mode;
      index.kubeProxy[name] = kp;
    }
    for (const svc of k.services ?? []) {
      if (!index.services.some((x) => x.name === svc.name && x.namespace === svc.namespace)) index.services.push(svc);
    }
    for (const ep of k.endpoints ?? []) {
      if (!index.endpoints.some((x) => x.name === ep.name && x.namespace === ep.namespace)) index.endpoints.push(ep);
    }
    for (const c of k.serviceCidrs ?? []) if (!index.serviceCidrs.includes(c)) index.serviceCidrs.push(c);
  }
  return index;
}

/** True when the index holds nothing a trace could use. */
export function servicesEmpty(index: ServicesIndex | undefined): boolean {
  return !index || (Object.keys(index.kubeProxy).length === 0 && index.services.length === 0 && index.serviceCidrs.length === 0);
}

/** A parsed `-A CHAIN …` rule: only the matches kube-proxy uses. */
interface Rule {
  text: string;
  chain: string;
  target?: string;
  src?: { cidr: string; not: boolean };
  dst?: { cidr: string; not: boolean };
  protocol?: string;
  dport?: number;
  dstTypeLocal: boolean;
  probability?: number;
  toDestination?: string;
  comment?: string;
}

/** Splits an iptables-save line into words, keeping `"…"` comments whole. */
function words(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out.push(m[1] !== undefined ? m[1].replace(/\\"/g, '"') : (m[2] as string));
  return out;
}

function parseRule(text: string): Rule | null {
  const w = words(text);
  if (w[0] !== '-A' || w[1] === undefined) return null;
  const rule: Rule = { text, chain: w[1], dstTypeLocal: false };
  let not = false;
  for (let i = 2; i < w.length; i++) {
    const a = w[i] as string;
    const v = w[i + 1];
    switch (a) {
      case '!':
        not = true;
        continue;
      case '-s':
      case '--source':
        if (v !== undefined) rule.src = { cidr: v, not };
        i++;
        break;
      case '-d':
      case '--destination':
        if (v !== undefined) rule.dst = { cidr: v, not };
        i++;
        break;
      case '-p':
      case '--protocol':
        if (v !== undefined) rule.protocol = v.toLowerCase();
        i++;
        break;
      case '--dport':
      case '--destination-port':
        if (v !== undefined && /^\d+$/.test(v)) rule.dport = Number(v);
        i++;
        break;
      case '--dst-type':
        if (v === 'LOCAL' && !not) rule.dstTypeLocal = true;
        i++;
        break;
      case '--probability':
        if (v !== undefined && Number.isFinite(Number(v))) rule.probability = Number(v);
        i++;
        break;
      case '--to-destination':
        if (v !== undefined) rule.toDestination = v;
        i++;
        break;
      case '--comment':
        if (v !== undefined) rule.comment = v;
        i++;
        break;
      case '-j':
      case '--jump':
      case '-g':
      case '--goto':
        if (v !== undefined) rule.target = v;
        i++;
        break;
      default:
        break;
    }
    not = false;
  }
  return rule;
}

interface ParsedRules {
  nat: Map<string, Rule[]>;
  filter: Map<string, Rule[]>;
}

const parsedCache = new WeakMap<NodeKubeProxy, ParsedRules>();

function parsed(kp: NodeKubeProxy): ParsedRules {
  let p = parsedCache.get(kp);
  if (p) return p;
  const group = (lines: string[]): Map<string, Rule[]> => {
    const m = new Map<string, Rule[]>();
    for (const l of lines) {
      const r = parseRule(l);
      if (!r) continue;
      const list = m.get(r.chain);
      if (list) list.push(r);
      else m.set(r.chain, [r]);
    }
    return m;
  };
  p = { nat: group(kp.nat), filter: group(kp.filter) };
  parsedCache.set(kp, p);
  return p;
}

/** The packet as kube-proxy's rules see it. */
export interface ServicePacket {
  src: string;
  dst: string;
  /** IP protocol number: 6 TCP, 17 UDP, 132 SCTP. */
  protocol: number;
  dstPort?: number;
}

const PROTOCOL_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 132: 'sctp' };

/** `tcp`, `udp`, … for a protocol number. */
export function protocolName(protocol: number): string {
  return PROTOCOL_NAMES[protocol] ?? String(protocol);
}

function addrMatches(m: { cidr: string; not: boolean } | undefined, ip: string): boolean {
  if (!m) return true;
  const p = parsePrefix(m.cidr.includes('/') ? m.cidr : `${m.cidr}/32`);
  const hit = p !== null && prefixContains(p, ip);
  return m.not ? !hit : hit;
}

function matches(r: Rule, pkt: ServicePacket, dstLocal: boolean): boolean {
  if (r.protocol !== undefined && r.protocol !== protocolName(pkt.protocol)) return false;
  if (r.dport !== undefined && r.dport !== pkt.dstPort) return false;
  if (r.dstTypeLocal && !dstLocal) return false;
  return addrMatches(r.src, pkt.src) && addrMatches(r.dst, pkt.dst);
}

/** One ready endpoint kube-proxy may DNAT to. */
export interface ServiceEndpointRule {
  ip: string;
  port?: number;
  /** Share of new connections this endpoint gets (the statistic probabilities, compounded). */
  probability: number;
  /** The KUBE-SVC rule that jumps to the endpoint's chain. */
  rule: string;
  /** The KUBE-SEP rule that rewrites the destination (`-j DNAT --to-destination …`). */
  dnat: string;
  /** The endpoint's own KUBE-MARK-MASQ rule, when it matched (hairpin). */
  masquerade?: string;
}

/** What kube-proxy does to a packet, as far as the captured rules say. */
export type ServiceVerdict =
  | {
      kind: 'dnat';
      service: string;
      /** `KUBE-SERVICES …` (or `KUBE-NODEPORTS …`) rule that matched, as iptables-save prints it. */
      rule: string;
      nodePort: boolean;
      endpoints: ServiceEndpointRule[];
      /** Set when a KUBE-MARK-MASQ rule matched: the source is masqueraded at POSTROUTING. */
      masquerade?: string;
    }
  | { kind: 'no-endpoints'; service: string; rule: string; detail: string }
  | { kind: 'incomplete'; service: string; missing: string; detail: string }
  | { kind: 'no-match' };

/** `kube-system/kube-dns:dns cluster IP` → `kube-system/kube-dns:dns`. */
function serviceOfComment(comment: string | undefined, fallback: string): string {
  if (comment === undefined) return fallback;
  const m = /^(\S+\/\S+?)(?:\s|$)/.exec(comment);
  return m ? (m[1] as string) : fallback;
}

const MAX_CHAIN_DEPTH = 8;
/** Per-Service chains: KUBE-SVC (cluster), KUBE-SVL (local endpoints), KUBE-EXT (external), KUBE-XLB (older local), KUBE-FW (load balancer). */
const SERVICE_CHAIN = /^KUBE-(SVC|SVL|EXT|XLB|FW)-/;

/**
 * Follows a service chain (KUBE-SVC, KUBE-SVL, KUBE-EXT, KUBE-XLB, KUBE-FW)
 * to its endpoints. Jumps are taken in order like the kernel does: the first
 * non-marking jump whose matches hold ends the chain, except the random
 * KUBE-SEP jumps, each of which may be the one taken.
 */
function followChain(rules: ParsedRules, chain: string, pkt: ServicePacket, depth: number, out: { endpoints: ServiceEndpointRule[]; masquerade?: string; missing?: string }): void {
  const list = rules.nat.get(chain);
  if (!list) {
    out.missing = chain;
    return;
  }
  let remaining = 1;
  for (const r of list) {
    if (!matches(r, pkt, false) || r.target === undefined) continue;
    if (r.target === 'KUBE-MARK-MASQ') {
      out.masquerade ??= r.text;
      continue;
    }
    if (r.target.startsWith('KUBE-SEP-')) {
      const p = r.probability ?? 1;
      const share = remaining * p;
      remaining -= share;
      const sep = rules.nat.get(r.target);
      const dnat = sep?.find((x) => x.target === 'DNAT' && x.toDestination !== undefined && matches(x, pkt, false));
      if (!dnat || dnat.toDestination === undefined) {
        out.missing = r.target;
        if (r.probability === undefined) return;
        continue;
      }
      // `-s <endpoint>/32 -j KUBE-MARK-MASQ`: a pod reaching itself through its Service (hairpin) is masqueraded.
      const hairpin = sep?.find((x) => x.target === 'KUBE-MARK-MASQ' && matches(x, pkt, false));
      const m = /^(.+?)(?::(\d+))?$/.exec(dnat.toDestination) as RegExpExecArray;
      const ip = m[1] as string;
      const ep: ServiceEndpointRule = { ip: isIp(ip) ? canonicalIp(ip) : ip, probability: Math.round(share * 1e6) / 1e6, rule: r.text, dnat: dnat.text };
      if (hairpin) ep.masquerade = hairpin.text;
      if (m[2] !== undefined) ep.port = Number(m[2]);
      out.endpoints.push(ep);
      if (r.probability === undefined) return;
      continue;
    }
    if (SERVICE_CHAIN.test(r.target) && depth < MAX_CHAIN_DEPTH) {
      followChain(rules, r.target, pkt, depth + 1, out);
      return;
    }
    if (r.target === 'RETURN' || r.target === 'DROP' || r.target === 'REJECT') return;
  }
}

/**
 * What kube-proxy on `node` does to `pkt`. `dstLocal` says the destination is
 * one of the netns's own addresses (NodePorts match only those).
 */
export function matchService(index: ServicesIndex, node: string, pkt: ServicePacket, dstLocal: boolean): ServiceVerdict | { kind: 'no-rules' } {
  const kp = index.kubeProxy[node];
  if (!kp) return { kind: 'no-rules' };
  const rules = parsed(kp);
  {
    for (const r of rules.nat.get('KUBE-SERVICES') ?? []) {
      if (r.target === undefined || !matches(r, pkt, dstLocal)) continue;
      if (r.target !== 'KUBE-NODEPORTS' && !SERVICE_CHAIN.test(r.target)) continue;
      let svcRule = r;
      let nodePort = false;
      let target = r.target;
      if (target === 'KUBE-NODEPORTS') {
        const np = (rules.nat.get('KUBE-NODEPORTS') ?? []).filter((x) => x.target !== undefined && SERVICE_CHAIN.test(x.target) && matches(x, pkt, dstLocal));
        const first = np[0];
        if (!first) continue;
        svcRule = first;
        nodePort = true;
        target = first.target as string;
      }
      const service = serviceOfComment(svcRule.comment, target);
      const out: { endpoints: ServiceEndpointRule[]; masquerade?: string; missing?: string } = { endpoints: [] };
      followChain(rules, target, pkt, 0, out);
      if (out.endpoints.length === 0 && out.missing !== undefined) {
        return {
          kind: 'incomplete',
          service,
          missing: `kube-proxy chain ${out.missing} on ${node} (iptables-save -t nat)`,
          detail: `${svcRule.text} jumps to ${target}, but chain ${out.missing} is not in the captured rules${kp.filtered ? ' (they were read through a filter)' : ''}`,
        };
      }
      if (out.endpoints.length === 0) {
        return { kind: 'no-endpoints', service, rule: svcRule.text, detail: `chain ${target} of ${service} has no KUBE-SEP rule: the Service has no ready endpoints` };
      }
      const v: ServiceVerdict = { kind: 'dnat', service, rule: svcRule.text, nodePort, endpoints: out.endpoints };
      if (out.masquerade !== undefined) v.masquerade = out.masquerade;
      return v;
    }
  }
  for (const chain of ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES']) {
    for (const r of rules.filter.get(chain) ?? []) {
      if ((r.target === 'REJECT' || r.target === 'DROP') && matches(r, pkt, dstLocal) && (r.dst !== undefined || r.dstTypeLocal)) {
        const service = serviceOfComment(r.comment, pkt.dst);
        return { kind: 'no-endpoints', service, rule: r.text, detail: `kube-proxy rejects it: "${r.comment ?? 'no endpoints'}"` };
      }
    }
  }
  return { kind: 'no-match' };
}

/** A Service kubectl listed, by ClusterIP or external IP. */
export function serviceByIp(index: ServicesIndex, ip: string): K8sService | undefined {
  return index.services.find((s) => s.clusterIp === ip || (s.externalIps ?? []).includes(ip));
}

/** A Service by `namespace/name` (or a unique `name`). */
export function serviceByName(index: ServicesIndex, ref: string): K8sService | undefined {
  const [a, b] = ref.split('/');
  if (b === undefined) {
    const hits = index.services.filter((s) => s.name === a);
    return hits.length === 1 ? hits[0] : undefined;
  }
  return index.services.find((s) => s.name === b && (s.namespace ?? 'default') === a);
}

type ServicePort = { protocol: number; port: number; name?: string };

const clusterIpCache = new WeakMap<ServicesIndex, Map<string, ServicePort[]>>();

/**
 * The ClusterIPs every node's KUBE-SERVICES rules name (`-d IP/32`), with the ports of each rule, in node
 * and rule order: built once per index, as every trace asks whether its destination is one.
 */
function ruleClusterIps(index: ServicesIndex): Map<string, ServicePort[]> {
  let byIp = clusterIpCache.get(index);
  if (byIp !== undefined) return byIp;
  byIp = new Map();
  for (const kp of Object.values(index.kubeProxy)) {
    for (const r of parsed(kp).nat.get('KUBE-SERVICES') ?? []) {
      if (r.dst === undefined || r.dst.not || !r.dst.cidr.endsWith('/32')) continue;
      const ip = r.dst.cidr.slice(0, -3);
      let ports = byIp.get(ip);
      if (ports === undefined) byIp.set(ip, (ports = []));
      if (r.dport === undefined) continue;
      const name = /^\S+\/\S+?:(\S+)/.exec(r.comment ?? '')?.[1];
      ports.push(name !== undefined ? { protocol: protocolNumber(r.protocol), port: r.dport, name } : { protocol: protocolNumber(r.protocol), port: r.dport });
    }
  }
  clusterIpCache.set(index, byIp);
  return byIp;
}

/** The protocol number of an iptables `-p` or a Kubernetes port protocol (TCP when unset). */
function protocolNumber(name: string | undefined): number {
  const n = name?.toLowerCase();
  return n === 'udp' ? 17 : n === 'sctp' ? 132 : 6;
}

/** True when `ip` is a ClusterIP the evidence knows of: listed by kubectl, in a service CIDR, or named by a KUBE-SERVICES rule. */
export function isKnownServiceIp(index: ServicesIndex, ip: string): boolean {
  if (serviceByIp(index, ip)) return true;
  if (index.serviceCidrs.some((c) => {
    const p = parsePrefix(c);
    return p !== null && prefixContains(p, ip);
  })) return true;
  return ruleClusterIps(index).has(ip);
}

/** The protocol of NodePort `port` (KUBE-NODEPORTS rules, or a `80:30080/TCP` kubectl listed), when some Service has it. */
export function nodePortProtocol(index: ServicesIndex, port: number): number | undefined {
  for (const kp of Object.values(index.kubeProxy)) {
    for (const r of parsed(kp).nat.get('KUBE-NODEPORTS') ?? []) if (r.dport === port) return protocolNumber(r.protocol);
  }
  for (const s of index.services) for (const p of s.ports ?? []) if (p.nodePort === port) return protocolNumber(p.protocol);
  return undefined;
}

/** The ports a Service destination offers, from kubectl and the rules: `[protocol, port]`. */
export function servicePorts(index: ServicesIndex, ip: string): ServicePort[] {
  const out: ServicePort[] = [];
  const push = (protocol: number, port: number, name?: string): void => {
    if (!out.some((p) => p.protocol === protocol && p.port === port)) out.push(name !== undefined ? { protocol, port, name } : { protocol, port });
  };
  for (const p of ruleClusterIps(index).get(ip) ?? []) push(p.protocol, p.port, p.name);
  const svc = serviceByIp(index, ip);
  for (const p of svc?.ports ?? []) push(protocolNumber(p.protocol), p.port, p.name);
  return out;
}
