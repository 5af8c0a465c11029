/**
 * The collector's core: run iproute2's JSON commands in a node's host netns
 * and in each pod netns, convert them with the engine's JSON readers, and
 * return one validated snapshot (format v1). This is a shell around the pure
 * engine: it may spawn processes, lib/ may not.
 */
import { statSync } from 'node:fs';
import {
  readBridgeFdbJson,
  readIpAddrJson,
  readIpLinkJson,
  readIpNeighJson,
  readIpRouteJson,
  readIpRuleJson,
  readNetnsListIdJson,
} from '../lib/read/ip/index';
import type { ParseOutput } from '../lib/read/types';
import type { Address, Link, NetnsSnapshot, PodRef, Route, Snapshot } from '../lib/snapshot/schema';
import { batchedHostPlan, batchedNetnsPlan, beginReadCache, sweepReadCache, writeBatchFile } from './batch';
import { execCommand, type Exec, type ExecResult } from './exec';
import { kubeProxyCommand, readKubeProxy } from './kubeProxy';
import { runManyWith, runPlans, runPlansAlongside, shellRunMany, type NetnsPlan, type RunMany } from './runner';
import { addressesOf, NOT_RUN, parseJson, readSection, sysctlStep } from './sections';
import { bridgeCommand, describeTarget, globToRegExp, ipCommand, type Command, type NetnsTarget } from './target';
import type { NetnsWatch } from './watch';

/** Which pod a netns is, when no Kubernetes API is at hand (the lab names its netns after its pods). */
export type PodIdentity = (netnsName: string) => { namespace: string; name: string; uid?: string } | undefined;

/** Options of collectNode. */
export interface CollectOptions {
  /** Kubernetes node name to stamp on the snapshot. */
  nodeName: string;
  /** Named netns acting as the node's host netns; default: the collector's own netns. */
  hostNetns?: string;
  /** Pod netns names, or one glob over `ip netns list` (`lab1-n1-*`). Default: every netns under /var/run/netns and /var/run/docker/netns when hostNetns is not given. */
  podNetns?: string[] | string;
  podIdentity?: PodIdentity;
  exec?: Exec;
  /** Also collect IPv6 routes (default true). */
  ipv6?: boolean;
  /** Clock, for reproducible tests. */
  now?: () => Date;
  /** Read each pod netns with one `ip -batch` process (default true); false runs one process per command. */
  batch?: boolean;
  /**
   * Runs the netns reads; default: all of them through one `sh` per round
   * (shellRunMany), or through `exec` when one is given.
   */
  runMany?: RunMany;
  /**
   * Check the snapshot against the format before returning it (default
   * false). The server checks every snapshot it receives and refuses a bad
   * one (the agent then keeps it under SPOOL/rejected/), and the tests check
   * what collectNode returns; checking again on the node cost ~10 ms of a
   * 110-pod collection for nothing.
   */
  validate?: boolean;
  /**
   * Read kube-proxy's rules with `iptables-save` in the host netns (default
   * true); a node without the binary simply gives none.
   */
  kubeProxy?: boolean;
  /**
   * Re-read only the pod netns that changed since the last collection with
   * this watch (collector/watch.ts), whose monitor runs in the same host
   * netns; undefined or false reads every netns. The agent's (cli/collect.ts)
   * makes one per run and stops it when the run ends. Needs the batched plan
   * and the real runner's processes (not an injected Exec).
   */
  watch?: NetnsWatch;
}

/** A snapshot and everything that went less than perfectly while collecting it. */
export interface CollectResult {
  snapshot: Snapshot;
  warnings: string[];
}

/** One pod netns to visit. */
interface PodTarget {
  name: string;
  target: NetnsTarget;
}

const DOCKER_NETNS_DIR = '/var/run/docker/netns';
const NETNS_DIR = '/var/run/netns';

/**
 * SNAPSHOT_API_VERSION, typed against the schema (a different value does not
 * compile) but not imported from it: importing a value of schema.ts loads
 * zod and builds every schema, ~10 MB of the agent's RSS for one string.
 */
const API_VERSION: Snapshot['apiVersion'] = 'podnet.dev/v1';

/** Link kinds that never carry node-to-node traffic themselves. */
const NOT_UNDERLAY = new Set(['loopback', 'bridge', 'vxlan', 'ipip', 'gre', 'geneve', 'wireguard', 'dummy', 'tun']);

async function run(exec: Exec, cmd: Command): Promise<{ ok: boolean; stdout: string; error: string }> {
  const r = await exec(cmd.file, cmd.args);
  return { ok: r.code === 0, stdout: r.stdout, error: r.stderr.trim() || `exit status ${r.code}` };
}

/** Reading one netns with a command per section (the host netns, or any netns when batching is off). */
export function fullNetnsPlan(target: NetnsTarget, meta: { name: string; kind: NetnsSnapshot['kind']; pod?: PodRef }, opts: { ipv6?: boolean } = {}): NetnsPlan {
  const ctx = meta.name === 'host' ? 'host' : `netns ${meta.name}`;
  const ipv6 = opts.ipv6 !== false;
  // `-4` explicitly: without a family, iproute2 ≥ 5 dumps both families for `table all`, and IPv6 would be read twice.
  const cmds = {
    links: ipCommand(target, ['-j', '-d', 'link', 'show']),
    addresses: ipCommand(target, ['-j', 'addr', 'show']),
    routes4: ipCommand(target, ['-j', '-4', 'route', 'show', 'table', 'all']),
    routes6: ipv6 ? ipCommand(target, ['-j', '-6', 'route', 'show', 'table', 'all']) : undefined,
    rules4: ipCommand(target, ['-j', '-4', 'rule', 'show']),
    rules6: ipv6 ? ipCommand(target, ['-j', '-6', 'rule', 'show']) : undefined,
    neighbours: ipCommand(target, ['-j', 'neigh', 'show']),
    fdb: bridgeCommand(target, ['-j', 'fdb', 'show']),
    netnsIds: ipCommand(target, ['-j', 'netns', 'list-id']),
  };
  const order = Object.keys(cmds) as Array<keyof typeof cmds>;
  const first = order.map((k) => cmds[k]).filter((c): c is Command => c !== undefined);
  return {
    first,
    then(results) {
      const warnings: string[] = [];
      const got = new Map<keyof typeof cmds, ExecResult>();
      let i = 0;
      for (const k of order) if (cmds[k] !== undefined) got.set(k, results[i++] ?? NOT_RUN);
      const sec = <T>(k: keyof typeof cmds, read: (v: unknown) => ParseOutput<T>): T[] | undefined => {
        const cmd = cmds[k];
        const r = got.get(k);
        return cmd && r ? readSection(r, cmd, ctx, read, warnings) : undefined;
      };
      const links = sec('links', (v) => readIpLinkJson(v));
      const addresses = sec('addresses', (v) => addressesOf(readIpAddrJson(v)));
      const routes4 = sec('routes4', (v) => readIpRouteJson(v, { family: 4 }));
      const routes6 = sec('routes6', (v) => readIpRouteJson(v, { family: 6 }));
      const rules4 = sec('rules4', (v) => readIpRuleJson(v, { family: 4 }));
      const rules6 = sec('rules6', (v) => readIpRuleJson(v, { family: 6 }));
      const neighbours = sec('neighbours', (v) => readIpNeighJson(v));
      const fdb = sec('fdb', (v) => readBridgeFdbJson(v));
      const netnsIds = sec('netnsIds', (v) => readNetnsListIdJson(v));
      const sysctl = sysctlStep(target, (links ?? []).map((l) => l.name), ctx, warnings);
      return {
        second: sysctl.second,
        finish(second) {
          const sysctls = sysctl.finish(second);
          const netns: NetnsSnapshot = { name: meta.name, kind: meta.kind, source: describeTarget(target) };
          if (meta.pod) netns.pod = meta.pod;
          if (links) netns.links = links;
          if (addresses) netns.addresses = addresses;
          if (routes4 || routes6) netns.routes = [...(routes4 ?? []), ...(routes6 ?? [])];
          if (rules4 || rules6) netns.rules = [...(rules4 ?? []), ...(rules6 ?? [])];
          if (neighbours) netns.neighbours = neighbours;
          if (fdb) netns.fdb = fdb;
          if (netnsIds) netns.netnsIds = netnsIds;
          if (Object.keys(sysctls).length > 0) netns.sysctls = sysctls;
          return { netns, warnings };
        },
      };
    },
  };
}

/** Collects one netns: every section, each command run once. */
export async function collectNetns(
  target: NetnsTarget,
  meta: { name: string; kind: NetnsSnapshot['kind']; pod?: PodRef },
  opts: { exec?: Exec; ipv6?: boolean } = {},
): Promise<{ netns: NetnsSnapshot; warnings: string[] }> {
  const [one] = await runPlans([fullNetnsPlan(target, meta, opts)], runManyWith(opts.exec ?? execCommand, 16));
  if (!one) throw new Error('runPlans returned nothing for one plan');
  return one;
}

/**
 * The node's underlay addresses: global IPv4/IPv6 addresses on devices that
 * are not bridges, tunnels, loopback or bridge ports, plus any device a VXLAN
 * or the default route names (a bond or VLAN carrying the tunnel counts).
 */
export function underlayAddresses(links: readonly Link[], addresses: readonly Address[], routes: readonly Route[]): string[] {
  const named = new Set<string>();
  for (const l of links) {
    if (l.vxlan?.dev) named.add(l.vxlan.dev);
    if (l.tunnel?.dev) named.add(l.tunnel.dev);
  }
  for (const r of routes) {
    if ((r.dst === '0.0.0.0/0' || r.dst === '::/0') && r.table === 'main' && r.dev) named.add(r.dev);
  }
  const byName = new Map(links.map((l) => [l.name, l]));
  const out: string[] = [];
  for (const a of addresses) {
    if (a.scope !== undefined && a.scope !== 'global') continue;
    const link = byName.get(a.ifname);
    const underlay =
      named.has(a.ifname) || (link !== undefined && !NOT_UNDERLAY.has(link.kind ?? 'device') && link.master === undefined);
    if (underlay && !out.includes(a.local)) out.push(a.local);
  }
  return out;
}


/**
 * The names `ip netns list` prints: the entries of /var/run/netns. Read
 * directly unless an Exec is injected: `ip netns list` also resolves every
 * entry's nsid (opening each), and spawning it forks the collector, ~10 ms
 * of CPU per collection on a 110-pod node for a directory listing.
 */
async function listNamedNetns(exec: Exec | undefined, warnings: string[]): Promise<string[]> {
  if (exec === undefined) {
    try {
      const { readdir } = await import('node:fs/promises');
      return await readdir(NETNS_DIR);
    } catch (err) {
      // iproute2 prints nothing when the directory does not exist yet (no netns made on this node).
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      warnings.push(`cannot list ${NETNS_DIR}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      return [];
    }
  }
  const r = await run(exec, { file: 'ip', args: ['-j', 'netns', 'list'] });
  if (!r.ok) {
    warnings.push(`\`ip -j netns list\` failed: ${r.error}`);
    return [];
  }
  const json = parseJson(r.stdout);
  if (!json.ok || !Array.isArray(json.value)) {
    warnings.push('`ip -j netns list` printed something other than a JSON list');
    return [];
  }
  const names: string[] = [];
  for (const item of json.value) {
    const name = (item as { name?: unknown } | null)?.name;
    if (typeof name === 'string' && name.length > 0) names.push(name);
  }
  return names;
}

async function listDockerNetns(): Promise<string[]> {
  try {
    const { readdir } = await import('node:fs/promises');
    return (await readdir(DOCKER_NETNS_DIR)).filter((n) => n !== 'default').map((n) => `${DOCKER_NETNS_DIR}/${n}`);
  } catch {
    // No docker on this node: nothing to visit.
    return [];
  }
}

/** Which pod netns to visit, following CollectOptions.podNetns (`exec`: list named netns with `ip netns list` through it). */
export async function discoverPodNetns(opts: CollectOptions, exec: Exec | undefined, warnings: string[]): Promise<PodTarget[]> {
  const { podNetns, hostNetns } = opts;
  if (Array.isArray(podNetns)) return podNetns.map((name) => ({ name, target: { kind: 'named', name } }));
  if (typeof podNetns === 'string') {
    const re = globToRegExp(podNetns);
    const names = (await listNamedNetns(exec, warnings)).filter((n) => re.test(n) && n !== hostNetns);
    if (names.length === 0) warnings.push(`no netns matches ${podNetns}`);
    return names.sort().map((name) => ({ name, target: { kind: 'named', name } }));
  }
  if (hostNetns !== undefined) {
    warnings.push('hostNetns given without podNetns: no pod namespaces collected');
    return [];
  }
  const named = (await listNamedNetns(exec, warnings)).sort().map((name): PodTarget => ({ name, target: { kind: 'named', name } }));
  const docker = (await listDockerNetns()).sort().map((path): PodTarget => ({ name: path.slice(DOCKER_NETNS_DIR.length + 1), target: { kind: 'path', path } }));
  return [...named, ...docker];
}

/**
 * Collects one node: its host netns and every pod netns, as one validated
 * snapshot. Commands that fail leave their section unobserved and add a
 * warning; only a snapshot that fails validation makes this throw, because
 * that is a bug in the collector or the readers, not a fact about the node.
 */
export async function collectNode(opts: CollectOptions): Promise<CollectResult> {
  const warnings: string[] = [];
  const hostTarget: NetnsTarget = opts.hostNetns === undefined ? { kind: 'current' } : { kind: 'named', name: opts.hostNetns };
  const watch = opts.batch === false ? undefined : opts.watch;
  // Before anything is read: what changed up to now.
  const took = watch ? await watch.take() : undefined;
  if (took?.problem !== undefined) warnings.push(took.problem);
  const pods = await discoverPodNetns(opts, opts.exec, warnings);

  const runMany = opts.runMany ?? (opts.exec ? runManyWith(opts.exec) : shellRunMany());

  const batch = opts.batch === false ? undefined : await writeBatchFile();
  let collected: Array<{ netns: NetnsSnapshot; warnings: string[] }>;
  const kpCmd = opts.kubeProxy === false ? undefined : kubeProxyCommand(hostTarget);
  let kpRun: ExecResult | undefined;
  try {
    const ipv6 = opts.ipv6 !== undefined ? { ipv6: opts.ipv6 } : {};
    const metas = pods.map((p) => {
      const identity = opts.podIdentity?.(p.name);
      const meta: { name: string; kind: NetnsSnapshot['kind']; pod?: PodRef } = { name: p.name, kind: 'pod' };
      if (identity) meta.pod = identity.uid ? { namespace: identity.namespace, name: identity.name, uid: identity.uid } : { namespace: identity.namespace, name: identity.name };
      return meta;
    });
    const podPlan = (i: number): NetnsPlan => {
      const p = pods[i] as PodTarget;
      const meta = metas[i] as (typeof metas)[number];
      if (!batch) return fullNetnsPlan(p.target, meta, ipv6);
      return batchedNetnsPlan(p.target, meta, { batchFile: batch.file, ...(p.target.kind === 'path' ? { withIds: batch.withIds } : {}), ...ipv6 });
    };
    const state = watch && took ? watchState(watch) : undefined;
    const identities = pods.map((p) => (state ? netnsIdentity(p.target) : undefined));
    const ipv6Key = opts.ipv6 === false ? 4 : 6;
    const reused: Array<{ netns: NetnsSnapshot; warnings: string[] } | undefined> = pods.map((p, i) => {
      if (!state || !took || took.all || !took.ready) return undefined;
      const e = state.entries.get(p.name);
      const nsid = state.hostIds.get(p.name);
      if (e === undefined || nsid === undefined || took.nsids.has(nsid)) return undefined;
      if (e.session !== took.session || e.identity === undefined || e.identity !== identities[i] || e.family !== ipv6Key) return undefined;
      return reuseEntry(e, metas[i] as (typeof metas)[number]);
    });
    const toRead = pods.map((_, i) => i).filter((i) => reused[i] === undefined);
    const plans: NetnsPlan[] = [batch ? batchedHostPlan(hostTarget, { files: batch, ...ipv6 }) : fullNetnsPlan(hostTarget, { name: 'host', kind: 'host' }, ipv6)];
    for (const i of toRead) plans.push(podPlan(i));
    const gen = beginReadCache();
    const ran = await runPlansAlongside(plans, kpCmd ? [kpCmd] : [], runMany);
    kpRun = ran.alongside[0];
    const got: Array<{ netns: NetnsSnapshot; warnings: string[] } | undefined> = [...reused];
    toRead.forEach((i, k) => (got[i] = ran.collected[k + 1]));
    if (state && took) {
      // Events that arrived while reading (changes made before this collection began, still on their way
      // through the monitor; or made during it): a netns skipped on the strength of the take is read now.
      // They stay pending, so the next collection reads these netns again.
      const late = (watch as NetnsWatch).peek();
      const hostIds = netnsIdsByName(ran.collected[0]?.netns);
      const again = pods
        .map((_, i) => i)
        .filter((i) => {
          if (reused[i] === undefined) return false;
          const name = (pods[i] as PodTarget).name;
          const nsid = hostIds.get(name);
          return late.broken || late.session !== took.session || nsid === undefined || nsid !== state.hostIds.get(name) || late.nsids.has(nsid);
        });
      if (again.length > 0) {
        const more = await runPlans(again.map(podPlan), runMany);
        again.forEach((i, k) => (got[i] = more[k]));
      }
      const fresh = new Map<string, WatchEntry>();
      pods.forEach((p, i) => {
        const c = got[i];
        if (c === undefined) return;
        const kept = reused[i] !== undefined && !again.includes(i) ? state.entries.get(p.name) : undefined;
        if (kept) fresh.set(p.name, kept);
        // A read with warnings (a command failed, output not understood) is not kept: the next collection tries again.
        else if (took.ready && p.target.kind === 'named' && c.warnings.length === 0 && !holdsFdb(c.netns)) fresh.set(p.name, { netns: { ...c.netns }, session: took.session, identity: identities[i], family: ipv6Key });
      });
      state.entries = fresh;
      state.hostIds = hostIds;
    }
    collected = [ran.collected[0] as { netns: NetnsSnapshot; warnings: string[] }, ...got.map((c) => c as { netns: NetnsSnapshot; warnings: string[] })];
    // Between full reads, netns left unread keep their cached items for when they are read again.
    if (!took || took.all) sweepReadCache(gen);
  } finally {
    await batch?.remove();
  }
  if (batch) await readMissingNetnsIds(collected, pods, runMany);
  for (const c of collected) warnings.push(...c.warnings);
  const host = collected[0]?.netns;
  const addresses = host ? underlayAddresses(host.links ?? [], host.addresses ?? [], host.routes ?? []) : [];

  const doc: Snapshot = {
    apiVersion: API_VERSION,
    kind: 'NodeSnapshot',
    node: addresses.length > 0 ? { name: opts.nodeName, addresses } : { name: opts.nodeName },
    collectedAt: (opts.now ?? (() => new Date()))().toISOString(),
    collector: { name: 'podnet-collector', source: opts.hostNetns === undefined ? 'host netns' : `ip netns ${opts.hostNetns}` },
    namespaces: collected.map((c) => c.netns),
  };
  const kubeProxy = kpCmd && kpRun ? readKubeProxy(kpCmd, describeTarget(hostTarget), kpRun, warnings) : undefined;
  if (kubeProxy) doc.kubernetes = { kubeProxy };
  if (opts.validate !== true) return { snapshot: doc, warnings };
  const { validateSnapshot } = await import('../lib/snapshot/validate');
  const valid = validateSnapshot(doc);
  if (!valid.ok) {
    const issues = valid.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new Error(`collected snapshot of ${opts.nodeName} is not a valid snapshot: ${issues}`);
  }
  return { snapshot: valid.snapshot, warnings };
}

/** A pod netns as last read, for collections whose watch says it did not change since. */
interface WatchEntry {
  /** As its plan returned it (before readMissingNetnsIds): reuse copies it. */
  netns: NetnsSnapshot;
  /** The monitor session during which it was read (a restarted monitor may have missed events). */
  session: number;
  /** The netns's identity (netnsIdentity): a name deleted and made again is a new netns. */
  identity: string | undefined;
  /** Route families read (opts.ipv6). */
  family: 4 | 6;
}

const watchStates = new WeakMap<NetnsWatch, { entries: Map<string, WatchEntry>; hostIds: Map<string, number> }>();

function watchState(w: NetnsWatch): { entries: Map<string, WatchEntry>; hostIds: Map<string, number> } {
  let s = watchStates.get(w);
  if (s === undefined) {
    s = { entries: new Map(), hostIds: new Map() };
    watchStates.set(w, s);
  }
  return s;
}

function netnsIdsByName(host: NetnsSnapshot | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of host?.netnsIds ?? []) if (e.name !== undefined) out.set(e.name, e.nsid);
  return out;
}

/**
 * A named netns's identity: device, inode and ctime of its nsfs file;
 * undefined for anything else. The inode alone is not one: nsfs inode
 * numbers are allocated lowest-free, so a netns deleted and made again
 * under the same name soon gets the same inode (and nsids are lowest-free
 * too). The nsfs inode's ctime is when it was made, and stays fixed while
 * the bind mount under /var/run/netns pins it (checked on 6.18: four
 * add/del rounds, same inode, four ctimes; a change inside the netns leaves
 * ctime as it was). Nanoseconds: two netns made within a millisecond.
 */
function netnsIdentity(target: NetnsTarget): string | undefined {
  if (target.kind !== 'named') return undefined;
  try {
    const st = statSync(`${NETNS_DIR}/${target.name}`, { bigint: true });
    return `${st.dev}:${st.ino}:${st.ctimeNs}`;
  } catch {
    return undefined;
  }
}

/** Bridge FDB changes reach a monitor as AF_BRIDGE neighbour events, which are not relied on: such netns are read every time. */
function holdsFdb(ns: NetnsSnapshot): boolean {
  return ns.fdb !== undefined || (ns.links ?? []).some((l) => l.kind === 'bridge' || l.kind === 'vxlan');
}

/** A cached read with today's pod identity, keys in the order a read gives them (only reads without warnings are kept). */
function reuseEntry(e: WatchEntry, meta: { name: string; kind: NetnsSnapshot['kind']; pod?: PodRef }): { netns: NetnsSnapshot; warnings: string[] } {
  const { name, kind, source, pod: _pod, ...rest } = e.netns;
  const netns: NetnsSnapshot = meta.pod ? { name, kind, source, pod: meta.pod, ...rest } : { name, kind, source, ...rest };
  return { netns, warnings: [] };
}

/**
 * The pod netns (indexes into `pods`) whose own `netns list-id` is needed:
 * those with a link into another netns (`link_netnsid`) that no host veth
 * accounts for. A host veth accounts for pod P's ifindex N when its
 * link_netnsid is P by the host's list-id and its link_index is N; then the
 * pairing needs nothing from P's side. Anything else (a veth between two pod
 * netns, a host whose list-id failed) gets the pod's list-id as before.
 */
export function podNetnsIdsNeeded(host: NetnsSnapshot | undefined, pods: ReadonlyArray<{ name: string; netns: NetnsSnapshot }>): number[] {
  const names = new Map<number, string>();
  for (const e of host?.netnsIds ?? []) if (e.name !== undefined) names.set(e.nsid, e.name);
  const accounted = new Set<string>();
  for (const l of host?.links ?? []) {
    const nsid = l.peer?.netnsId;
    const name = nsid === undefined ? undefined : names.get(nsid);
    if (name !== undefined && l.peer?.ifindex !== undefined) accounted.add(`${name}\n${l.peer.ifindex}`);
  }
  const out: number[] = [];
  pods.forEach((p, i) => {
    if (p.netns.netnsIds !== undefined) return;
    const links = p.netns.links ?? [];
    if (links.some((l) => l.peer?.netnsId !== undefined && !accounted.has(`${p.name}\n${l.ifindex}`))) out.push(i);
  });
  return out;
}

/** Reads `ip netns list-id` in the pod netns podNetnsIdsNeeded names, with one more runner round (none when it names none). */
async function readMissingNetnsIds(collected: Array<{ netns: NetnsSnapshot; warnings: string[] }>, pods: readonly PodTarget[], runMany: RunMany): Promise<void> {
  const podsCollected = pods.map((p, i) => ({ name: p.name, target: p.target, netns: (collected[i + 1] as { netns: NetnsSnapshot }).netns, warnings: (collected[i + 1] as { warnings: string[] }).warnings }));
  const needed = podNetnsIdsNeeded(collected[0]?.netns, podsCollected);
  if (needed.length === 0) return;
  const cmds = needed.map((i) => ipCommand((podsCollected[i] as PodTarget).target, ['-j', 'netns', 'list-id']));
  const results = await runMany(cmds);
  needed.forEach((i, k) => {
    const p = podsCollected[i] as (typeof podsCollected)[number];
    const ids = readSection(results[k] ?? NOT_RUN, cmds[k] as Command, `netns ${p.name}`, (v) => readNetnsListIdJson(v), p.warnings);
    if (ids !== undefined) p.netns.netnsIds = ids;
  });
}
