/**
 * One process per pod netns: `ip -n NS -j -d -force -batch FILE` runs every
 * read the pod needs (links, addresses, routes of both families, rules,
 * neighbours, and netconf for forwarding/rp_filter) in a single iproute2
 * process. Measured on a 110-pod node (collector/bench.ts), ten processes per
 * netns cost ~6 s CPU per collection; one costs a small fraction, which is
 * what makes a 30 s interval affordable.
 *
 * `netns list-id` is not in it: iproute2 names each nsid by opening every
 * entry of /var/run/netns, so one run costs O(netns on the node) and one per
 * pod O(pods²) per collection (with 122 netns: 3.9 ms CPU per pod batch with
 * it, 1.9 ms without). The host's list-id names the pods, and a pod's own
 * list-id is read afterwards only where the host side does not account for
 * one of its veths (collectNode's `podNetnsIdsNeeded`).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
import type { NetnsSnapshot, PodRef, Route } from '../lib/snapshot/schema';
import type { Exec, ExecResult } from './exec';
import { runManyWith, runPlans, type NetnsPlan } from './runner';
import { addressesOf, NOT_RUN, readSection, shown, sysctlStep } from './sections';
import { bridgeCommand, describeTarget, ipCommand, type Command, type NetnsTarget } from './target';

/** The batch, in order; the index of a line is how its output is found. */
export const BATCH_LINES = ['link show', 'addr show', 'route show table all', 'rule show', 'neigh show', 'netconf show'] as const;

/**
 * The batch with `netns list-id` too, for netns files outside /var/run/netns
 * (docker's): the host's list-id cannot name those, so only their own says
 * where their veths lead.
 */
export const BATCH_LINES_WITH_IDS = [...BATCH_LINES, 'netns list-id'] as const;

/** The host netns's lines that take no family, run with `-d`. */
export const HOST_LINES = ['link show', 'addr show', 'neigh show', 'netns list-id'] as const;
/** The host netns's lines run once with `-4` and once with `-6`: each family exactly, as `ip -4`/`ip -6` list them. */
export const HOST_FAMILY_LINES = ['route show table all', 'rule show'] as const;

/** The batch files of one collection. */
export interface BatchFiles {
  /** BATCH_LINES. */
  file: string;
  /** BATCH_LINES_WITH_IDS. */
  withIds: string;
  /** HOST_LINES. */
  host: string;
  /** HOST_FAMILY_LINES. */
  hostFamily: string;
  remove: () => Promise<void>;
}

/** Writes the batch files once per collection; returns their paths and a cleanup. */
export async function writeBatchFile(): Promise<BatchFiles> {
  const dir = await mkdtemp(path.join(tmpdir(), 'podnet-batch-'));
  const files = {
    file: [path.join(dir, 'netns.batch'), BATCH_LINES],
    withIds: [path.join(dir, 'netns-ids.batch'), BATCH_LINES_WITH_IDS],
    host: [path.join(dir, 'host.batch'), HOST_LINES],
    hostFamily: [path.join(dir, 'host-family.batch'), HOST_FAMILY_LINES],
  } as const;
  await Promise.all(Object.values(files).map(([f, lines]) => writeFile(f, `${lines.join('\n')}\n`)));
  return { file: files.file[0], withIds: files.withIds[0], host: files.host[0], hostFamily: files.hostFamily[0], remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Splits batch output into one text per batch line. With `-force`, a failed
 * line prints nothing on stdout and `Command failed FILE:N` on stderr, so
 * outputs are assigned to the lines that did not fail, in order.
 */
export function splitBatchText(stdout: string, stderr: string, lineCount: number): { texts: Array<string | undefined>; errors: string[] } {
  const failed = new Set<number>();
  for (const m of stderr.matchAll(/Command failed .*:(\d+)\s*$/gm)) failed.add(Number(m[1]) - 1);
  const outputs = stdout.split('\n').filter((l) => l.trim() !== '');
  const texts: Array<string | undefined> = [];
  const errors: string[] = [];
  let next = 0;
  for (let i = 0; i < lineCount; i++) {
    if (failed.has(i)) {
      texts.push(undefined);
      continue;
    }
    const text = outputs[next++];
    if (text === undefined) errors.push(`line ${i + 1} printed nothing`);
    texts.push(text);
  }
  return { texts, errors };
}

/** splitBatchText, each text parsed as JSON (undefined, and an error, where it is not JSON). */
export function splitBatchOutput(stdout: string, stderr: string, lineCount: number): { values: Array<unknown | undefined>; errors: string[] } {
  const { texts, errors } = splitBatchText(stdout, stderr, lineCount);
  const values = texts.map((text, i) => {
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      errors.push(`line ${i + 1} printed invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  });
  return { values, errors };
}

/**
 * Sections read in earlier collections, by command and batch line. Most of a
 * node's iproute2 output is the same from one collection to the next (links,
 * addresses, routes; neighbours change more), and reading it again (JSON,
 * then the engine's readers, whose IPv6 parsing is most of the collector's
 * own CPU) gave the same items. An entry is reused only for byte-identical
 * output; its items are frozen, as every snapshot after shares them.
 * Entries not used by the latest collection are dropped (sweepReadCache).
 *
 * An entry keeps the SHA-256 of the output, not the text: each text was a
 * slice of the runner's whole output, so the cache held one or two of those
 * (~1 MB each on a 110-pod node) for the agent's lifetime. Hashing the
 * ~1 MB of a collection costs ~2 ms of CPU.
 */
const readCache = new Map<string, { digest: string; items: readonly unknown[]; notes: readonly string[]; generation: number }>();
let generation = 0;

/** Starts a collection's use of the cache; returns the generation to sweep with. */
export function beginReadCache(): number {
  return ++generation;
}

/** Drops what the collection `gen` did not use (pods gone, commands changed). */
export function sweepReadCache(gen: number): void {
  for (const [k, e] of readCache) if (e.generation < gen) readCache.delete(k);
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/**
 * One batch line's items: JSON-parsed and read by `read` (undefined: the
 * section was not observed), or taken from the cache when `text` is what
 * the same command printed last time. Reader notes go to `warnings` either way.
 */
function readLine<T>(key: string, text: string | undefined, read: (value: unknown) => ParseOutput<T> | undefined, ctx: string, what: string, warnings: string[]): T[] | undefined {
  if (text === undefined) return undefined;
  const hit = readCache.get(key);
  const digest = createHash('sha256').update(text).digest('base64');
  if (hit !== undefined && hit.digest === digest) {
    hit.generation = generation;
    warnings.push(...hit.notes);
    return hit.items as T[];
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    warnings.push(`${ctx}: ip ${what} printed invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
  const out = read(value);
  if (out === undefined) return undefined;
  const notes: string[] = [];
  const list = deepFreeze(items(out, ctx, what, notes));
  readCache.set(key, { digest, items: list, notes, generation });
  warnings.push(...notes);
  return list;
}

function hasColon(v: unknown): boolean {
  return typeof v === 'string' && v.includes(':');
}

/**
 * `route show table all` without a family lists IPv4 and IPv6 routes
 * together. An IPv6 route names an IPv6 address somewhere or carries
 * `pref`, which iproute2 prints for IPv6 routes only; `default` alone says
 * neither, hence the other fields.
 */
export function routeFamily(r: unknown): 4 | 6 {
  if (r === null || typeof r !== 'object') return 4;
  const o = r as Record<string, unknown>;
  if (hasColon(o.dst) || hasColon(o.gateway) || hasColon(o.prefsrc) || hasColon(o.src) || 'pref' in o) return 6;
  if (Array.isArray(o.nexthops) && o.nexthops.some((n) => n !== null && typeof n === 'object' && hasColon((n as Record<string, unknown>).gateway))) return 6;
  return 4;
}

const RP_FILTER: Record<string, string> = { off: '0', strict: '1', loose: '2' };

/**
 * `ip netconf` as the sysctl keys the engine reads: IPv4 forwarding of `all`
 * is `net.ipv4.ip_forward` (the kernel keeps the two equal), and each
 * interface's rp_filter mode is its `conf.IF.rp_filter` value.
 */
export function sysctlsFromNetconf(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(value)) return out;
  for (const e of value) {
    if (e === null || typeof e !== 'object') continue;
    const o = e as Record<string, unknown>;
    if (o.family !== 'inet' || typeof o.interface !== 'string') continue;
    if (o.interface === 'all' && typeof o.forwarding === 'boolean') out['net.ipv4.ip_forward'] = o.forwarding ? '1' : '0';
    const rp = typeof o.rp_filter === 'string' ? RP_FILTER[o.rp_filter] : typeof o.rp_filter === 'number' ? String(o.rp_filter) : undefined;
    if (rp !== undefined) out[`net.ipv4.conf.${o.interface}.rp_filter`] = rp;
  }
  return out;
}

function items<T>(out: ParseOutput<T>, ctx: string, what: string, warnings: string[]): T[] {
  for (const w of out.warnings) warnings.push(`${ctx}: ip ${what}: ${w.message}`);
  for (const s of out.skipped) warnings.push(`${ctx}: ip ${what}: skipped ${s.reason}`);
  return out.items;
}

/**
 * Reads one pod netns with a single `ip` process (plus `bridge fdb` only
 * when the netns holds a bridge or VXLAN device, where the FDB decides
 * forwarding). IPv6 policy rules are not read here: `ip rule` without a
 * family lists IPv4 rules only, and pods keep the kernel's default rules.
 * `withIds` names a batch file of BATCH_LINES_WITH_IDS (netns ids read in
 * the same process); without it `batchFile` holds BATCH_LINES.
 */
export function batchedNetnsPlan(
  target: NetnsTarget,
  meta: { name: string; kind: NetnsSnapshot['kind']; pod?: PodRef },
  opts: { batchFile: string; withIds?: string; ipv6?: boolean },
): NetnsPlan {
  const ctx = `netns ${meta.name}`;
  const lines: readonly string[] = opts.withIds !== undefined ? BATCH_LINES_WITH_IDS : BATCH_LINES;
  const cmd = ipCommand(target, ['-j', '-d', '-force', '-batch', opts.withIds ?? opts.batchFile]);
  return {
    first: [cmd],
    then([r = NOT_RUN]) {
      const warnings: string[] = [];
      const netns: NetnsSnapshot = { name: meta.name, kind: meta.kind, source: describeTarget(target) };
      if (meta.pod) netns.pod = meta.pod;
      const done = { second: [], finish: () => ({ netns, warnings }) };
      if (r.code !== 0 && r.stdout.trim() === '') {
        warnings.push(`${ctx}: \`${[cmd.file, ...cmd.args].join(' ')}\` failed: ${r.stderr.trim() || `exit status ${r.code}`}`);
        return done;
      }
      const { texts, errors } = splitBatchText(r.stdout, r.stderr, lines.length);
      for (const e of errors) warnings.push(`${ctx}: ip batch ${e}`);
      const [links, addrs, routes, rules, neigh, netconf, ids] = texts;
      // By netns and line, not by command: the batch file's path changes with every collection.
      const key = (i: number) => `${describeTarget(target)}\n${lines[i] ?? i}`;
      const set = <K extends 'links' | 'addresses' | 'routes' | 'rules' | 'neighbours' | 'netnsIds'>(k: K, v: NetnsSnapshot[K] | undefined) => {
        if (v !== undefined) netns[k] = v;
      };
      set('links', readLine(key(0), links, (v) => readIpLinkJson(v), ctx, 'link', warnings));
      set('addresses', readLine(key(1), addrs, (v) => addressesOf(readIpAddrJson(v)), ctx, 'addr', warnings));
      const readRoutes = (v: unknown): ParseOutput<Route> | undefined => {
        if (!Array.isArray(v)) return undefined;
        const v4 = readIpRouteJson(v.filter((x) => routeFamily(x) === 4), { family: 4 });
        const v6 = readIpRouteJson(opts.ipv6 === false ? [] : v.filter((x) => routeFamily(x) === 6), { family: 6 });
        return { items: [...v4.items, ...v6.items], warnings: [...v4.warnings, ...v6.warnings], skipped: [...v4.skipped, ...v6.skipped] };
      };
      set('routes', readLine(`${key(2)}\n${opts.ipv6 === false ? 4 : 6}`, routes, readRoutes, ctx, 'route', warnings));
      set('rules', readLine(key(3), rules, (v) => readIpRuleJson(v, { family: 4 }), ctx, 'rule', warnings));
      set('neighbours', readLine(key(4), neigh, (v) => readIpNeighJson(v), ctx, 'neigh', warnings));
      set('netnsIds', readLine(key(6), ids, (v) => readNetnsListIdJson(v), ctx, 'netns list-id', warnings));
      let netconfValue: unknown;
      try {
        netconfValue = netconf === undefined ? undefined : (JSON.parse(netconf) as unknown);
      } catch (err) {
        warnings.push(`${ctx}: ip netconf printed invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
      }
      const sysctls = sysctlsFromNetconf(netconfValue);
      if (Object.keys(sysctls).length > 0) netns.sysctls = sysctls;

      if (!(netns.links ?? []).some((l) => l.kind === 'bridge' || l.kind === 'vxlan')) return done;
      const fdbCmd = bridgeCommand(target, ['-j', 'fdb', 'show']);
      return {
        second: [fdbCmd],
        finish([f = NOT_RUN]) {
          const fdb = readSection(f, fdbCmd, ctx, (v) => readBridgeFdbJson(v), warnings);
          if (fdb !== undefined) netns.fdb = fdb;
          return { netns, warnings };
        },
      };
    },
  };
}


/**
 * Reads the host netns with three `ip` processes instead of seven (each
 * costs ~2 ms of CPU, most of it exec and the dynamic loader): HOST_LINES
 * with `-d`, then HOST_FAMILY_LINES with `-4` and with `-6`, so routes and
 * rules keep their exact family. `bridge fdb` and the sysctl files (whose
 * names come from the links) as in fullNetnsPlan.
 */
export function batchedHostPlan(target: NetnsTarget, opts: { files: Pick<BatchFiles, 'host' | 'hostFamily'>; ipv6?: boolean }): NetnsPlan {
  const ctx = 'host';
  const ipv6 = opts.ipv6 !== false;
  const main = ipCommand(target, ['-j', '-d', '-force', '-batch', opts.files.host]);
  const v4 = ipCommand(target, ['-j', '-4', '-force', '-batch', opts.files.hostFamily]);
  const v6 = ipv6 ? ipCommand(target, ['-j', '-6', '-force', '-batch', opts.files.hostFamily]) : undefined;
  const fdbCmd = bridgeCommand(target, ['-j', 'fdb', 'show']);
  const first = [main, v4, ...(v6 ? [v6] : []), fdbCmd];
    /** The texts of one batch run, or undefined per line when the whole run failed. */
  const batch = (cmd: Command, r: ExecResult, count: number, warnings: string[]): Array<string | undefined> => {
    if (r.code !== 0 && r.stdout.trim() === '') {
      warnings.push(`${ctx}: \`${shown(cmd)}\` failed: ${r.stderr.trim() || `exit status ${r.code}`}`);
      return new Array<undefined>(count).fill(undefined);
    }
    const { texts, errors } = splitBatchText(r.stdout, r.stderr, count);
    for (const e of errors) warnings.push(`${ctx}: \`${shown(cmd)}\` ${e}`);
    return texts;
  };
  // By netns, family and line, not by command: the batch files' paths change with every collection.
  const key = (cmd: Command, i: number) => `${describeTarget(target)}\nhost ${cmd === v4 ? '-4' : cmd === v6 ? '-6' : '-d'} ${(cmd === main ? HOST_LINES : HOST_FAMILY_LINES)[i] ?? i}`;
  return {
    first,
    then(results) {
      const warnings: string[] = [];
      const [rMain = NOT_RUN, r4 = NOT_RUN] = results;
      const r6 = v6 ? (results[2] ?? NOT_RUN) : undefined;
      const rFdb = results[v6 ? 3 : 2] ?? NOT_RUN;
      const netns: NetnsSnapshot = { name: 'host', kind: 'host', source: describeTarget(target) };
      const [links, addrs, neigh, ids] = batch(main, rMain, HOST_LINES.length, warnings);
      const [routes4, rules4] = batch(v4, r4, HOST_FAMILY_LINES.length, warnings);
      const [routes6, rules6] = v6 && r6 ? batch(v6, r6, HOST_FAMILY_LINES.length, warnings) : [undefined, undefined];
      const l = readLine(key(main, 0), links, (v) => readIpLinkJson(v), ctx, 'link', warnings);
      if (l !== undefined) netns.links = l;
      const a = readLine(key(main, 1), addrs, (v) => addressesOf(readIpAddrJson(v)), ctx, 'addr', warnings);
      if (a !== undefined) netns.addresses = a;
      const ro4 = readLine(key(v4, 0), routes4, (v) => readIpRouteJson(v, { family: 4 }), ctx, 'route', warnings);
      const ro6 = v6 ? readLine(key(v6, 0), routes6, (v) => readIpRouteJson(v, { family: 6 }), ctx, 'route', warnings) : undefined;
      if (ro4 !== undefined || ro6 !== undefined) netns.routes = [...(ro4 ?? []), ...(ro6 ?? [])];
      const ru4 = readLine(key(v4, 1), rules4, (v) => readIpRuleJson(v, { family: 4 }), ctx, 'rule', warnings);
      const ru6 = v6 ? readLine(key(v6, 1), rules6, (v) => readIpRuleJson(v, { family: 6 }), ctx, 'rule', warnings) : undefined;
      if (ru4 !== undefined || ru6 !== undefined) netns.rules = [...(ru4 ?? []), ...(ru6 ?? [])];
      const n = readLine(key(main, 2), neigh, (v) => readIpNeighJson(v), ctx, 'neigh', warnings);
      if (n !== undefined) netns.neighbours = n;
      const fdb = readSection(rFdb, fdbCmd, ctx, (v) => readBridgeFdbJson(v), warnings);
      if (fdb !== undefined) netns.fdb = fdb;
      const ids2 = readLine(key(main, 3), ids, (v) => readNetnsListIdJson(v), ctx, 'netns list-id', warnings);
      if (ids2 !== undefined) netns.netnsIds = ids2;
      // In the collector's own netns this reads /proc/sys here: no second runner round (nor its fork of the
      // collector) unless a pod netns needs its FDB.
      const sysctl = sysctlStep(target, (netns.links ?? []).map((l) => l.name), ctx, warnings);
      return {
        second: sysctl.second,
        finish(second) {
          const sysctls = sysctl.finish(second);
          if (Object.keys(sysctls).length > 0) netns.sysctls = sysctls;
          return { netns, warnings };
        },
      };
    },
  };
}

/** Collects one pod netns through `batchedNetnsPlan`, commands run by `exec`. */
export async function collectNetnsBatched(
  target: NetnsTarget,
  meta: { name: string; kind: NetnsSnapshot['kind']; pod?: PodRef },
  opts: { exec: Exec; batchFile: string; withIds?: string; ipv6?: boolean },
): Promise<{ netns: NetnsSnapshot; warnings: string[] }> {
  const [one] = await runPlans([batchedNetnsPlan(target, meta, opts)], runManyWith(opts.exec));
  if (!one) throw new Error('runPlans returned nothing for one plan');
  return one;
}
