/**
 * Reads a terminal transcript: splits it into commands, hands each output
 * to the parser for its command, and collects the facts per node and per
 * network namespace for `assemble`.
 */
import type { Link } from '../../snapshot/schema';
import {
  addAddresses,
  addEndpoints,
  addFdb,
  addKubeProxyRules,
  addServices,
  addK8sNodes,
  addNeighbours,
  addNetnsIds,
  addPods,
  addRoutes,
  addRules,
  markSection,
  mergeLink,
  netnsEvidence,
  newNodeEvidence,
  type NetnsEvidence,
  type NodeEvidence,
} from '../assemble';
import {
  parseBridgeFdbText,
  parseIpLinkText,
  parseIpNeighText,
  parseIpNetnsListIdText,
  parseIpNetnsListText,
  parseIpRouteText,
  parseIpRuleText,
  parseRouteNText,
  readBridgeFdbJson,
  readIpAddrJson,
  readIpLinkJson,
  readIpNeighJson,
  readIpRouteJson,
  readIpRuleJson,
  readNetnsListIdJson,
} from '../ip';
import { parseBridgeLinkText, readBridgeLinkJson } from '../misc/bridgeLink';
import { parseArp } from '../misc/arp';
import { parseBrctlShow } from '../misc/brctl';
import { parseFlannelSubnetEnv } from '../misc/flannelEnv';
import { parseIfconfig } from '../misc/ifconfig';
import { parseEthtoolStats } from '../misc/ethtool';
import { keepsKubeLines, parseIptablesSave } from '../misc/iptables';
import { parseKubectlGetEndpoints, parseKubectlGetServices } from '../misc/kubectlServices';
import { parseKubectlDescribeNode, parseKubectlGetNodes, parseKubectlGetPods, readKubectlJson } from '../misc/kubectl';
import { parseProcSysValue, parseSysctl, type SysctlValue } from '../misc/sysctl';
import {
  parseSysfsGrepList,
  parseSysfsGrepValues,
  parseSysfsListing,
  parseSysfsNumber,
  parseSysfsText,
} from '../misc/sysfs';
import type { ParseOutput, ReadWarning, SkippedBlock, UsedBlock } from '../types';
import type { CommandKind, ExecTarget } from './command';
import { splitTranscript, type Scope, type TranscriptCommand } from './split';

/** What reading a transcript gave, before assembling snapshots. */
export interface TranscriptEvidence {
  /** The transcript's own node first, then one per `ssh` host. */
  nodes: NodeEvidence[];
  used: UsedBlock[];
  skipped: SkippedBlock[];
  warnings: ReadWarning[];
}

function safeNetnsName(s: string): string {
  const t = s.replace(/[/\s]/g, '_').slice(0, 256);
  return t === '' ? 'unnamed' : t;
}

/** The netns a target names, and how it is labelled in used blocks. */
function netnsFor(target: ExecTarget): {
  name: string;
  kind: 'host' | 'pod' | 'other';
  pod?: { namespace: string; name: string };
  source?: string;
  label: string;
} {
  switch (target.kind) {
    case 'host':
      return { name: 'host', kind: 'host', label: 'host' };
    case 'pod':
      return {
        name: safeNetnsName(`k8s_${target.namespace}_${target.pod}`),
        kind: 'pod',
        pod: { namespace: target.namespace, name: target.pod },
        source: 'kubectl exec',
        label: `pod ${target.namespace}/${target.pod}`,
      };
    case 'container':
      return {
        name: safeNetnsName(`${target.runtime}_${target.id}`),
        kind: 'other',
        source: `${target.runtime} exec ${target.id}`.slice(0, 4096),
        label: `container ${target.id}`,
      };
    case 'netns':
      return { name: safeNetnsName(target.name), kind: 'other', source: target.via, label: `netns ${target.name}` };
    case 'nsenter':
      return { name: safeNetnsName(`nsenter-${target.pid}`), kind: 'other', source: `nsenter -t ${target.pid} -n`, label: `nsenter -t ${target.pid}` };
    case 'node':
      return { name: 'host', kind: 'host', label: 'host' };
    default: {
      const never: never = target;
      return never;
    }
  }
}

/** Reads a transcript into per-node evidence. Never throws. */
export function readTranscript(input: string): TranscriptEvidence {
  const split = splitTranscript(input);
  const main = newNodeEvidence();
  for (const h of split.promptHosts) main.promptHosts.add(h);
  const result: TranscriptEvidence = { nodes: [main], used: [], skipped: [...split.skipped], warnings: [...split.warnings] };
  const sshNodes = new Map<string, NodeEvidence>();
  const nodeOf = (scope: Scope): NodeEvidence => {
    if (scope.sshHost === undefined) return main;
    let n = sshNodes.get(scope.sshHost);
    if (!n) {
      n = newNodeEvidence(scope.sshHost);
      sshNodes.set(scope.sshHost, n);
      result.nodes.push(n);
    }
    return n;
  };
  for (const cmd of split.commands) {
    try {
      readCommand(cmd, nodeOf(cmd.scope), result);
    } catch (e) {
      // A parser bug must cost one command, not the whole transcript.
      result.skipped.push(skipOutput(cmd, `podnet failed to read this output (${e instanceof Error ? e.message : String(e)})`));
    }
  }
  return result;
}

function skipOutput(cmd: TranscriptCommand, reason: string): SkippedBlock {
  return { startLine: cmd.line, endLine: cmd.endLine, reason, text: cmd.text.slice(0, 200) };
}

function parseJsonOutput(cmd: TranscriptCommand): { ok: true; value: unknown } | { ok: false; message: string } {
  const text = cmd.output.join('\n').trim();
  if (text === '') return { ok: false, message: 'no output' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, message: `the output is not valid JSON (${e instanceof Error ? e.message.slice(0, 120) : 'parse error'})` };
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`;
}

function readCommand(cmd: TranscriptCommand, node: NodeEvidence, result: TranscriptEvidence): void {
  const { command } = cmd;
  const kind = command.kind;
  for (const note of command.notes) result.warnings.push({ line: cmd.line, message: note });
  if (command.opensSession) {
    if (cmd.output.length > 0) result.skipped.push(skipOutput(cmd, 'output of the command that opened a shell'));
    return;
  }
  if (kind === null) {
    result.skipped.push(skipOutput(cmd, `unknown command \`${(command.argv[0] ?? cmd.text).slice(0, 60)}\`; its output is not read`));
    return;
  }
  if (kind.kind === 'exit') {
    if (cmd.output.length > 0) result.skipped.push(skipOutput(cmd, 'output after exit'));
    return;
  }
  if (kind.kind === 'shell') {
    // `sudo -i` prints nothing; whatever follows before the next prompt is not its output.
    if (cmd.output.length > 0) result.skipped.push(skipOutput(cmd, 'output after a command that opened a shell on the same machine'));
    return;
  }
  if (kind.kind === 'unsupported') {
    result.skipped.push(skipOutput(cmd, kind.reason));
    return;
  }
  if (command.compound) {
    result.skipped.push(skipOutput(cmd, 'several commands on one line (`&&`, `;`): their outputs cannot be told apart'));
    return;
  }
  if (command.stdoutRedirected) {
    result.skipped.push(skipOutput(cmd, 'the output went to a file'));
    return;
  }
  const where = netnsFor(cmd.scope.target);
  const init: { kind: 'host' | 'pod' | 'other'; pod?: { namespace: string; name: string }; source?: string } = { kind: where.kind };
  if (where.pod) init.pod = where.pod;
  if (where.source !== undefined) init.source = where.source;
  // Output pasted without its command may be an excerpt: treat it like piped output.
  const filtered = command.pipe !== 'none' || cmd.inferred === true;
  const lazyNs = (): NetnsEvidence => netnsEvidence(node, where.name, init);
  const ctx: CommandContext = { cmd, node, ns: lazyNs, filtered, result };
  const summary = dispatch(kind, ctx);
  if (summary === null) return;
  if (where.pod && cmd.scope.target.kind === 'pod') {
    if (!node.capturedPods.some((p) => p.namespace === where.pod?.namespace && p.name === where.pod.name)) node.capturedPods.push(where.pod);
  }
  const context = cmd.scope.sshHost !== undefined ? `${cmd.scope.sshHost}: ${where.label}` : where.label;
  result.used.push({
    startLine: cmd.line,
    endLine: cmd.endLine,
    command: cmd.text.slice(0, 500),
    context,
    summary:
      command.pipe !== 'none' ? `${summary} (${command.pipe === 'filter' ? 'filtered' : 'transformed'} by a pipe)` : cmd.inferred ? `${summary} (may be an excerpt)` : summary,
  });
}

interface CommandContext {
  cmd: TranscriptCommand;
  node: NodeEvidence;
  ns: () => NetnsEvidence;
  filtered: boolean;
  result: TranscriptEvidence;
}

/** Collects a parser's warnings and skipped lines; true when it read something or the output was empty. */
function absorb<T>(ctx: CommandContext, out: ParseOutput<T>): boolean {
  ctx.result.warnings.push(...out.warnings);
  ctx.result.skipped.push(...out.skipped);
  // `ip -j neigh` of an empty table prints `[]`: an observed, empty section.
  return out.items.length > 0 || ctx.cmd.output.every((l) => l.trim() === '' || /^\s*\[\s*\]\s*$/.test(l));
}

function nothingRead(ctx: CommandContext, what: string): null {
  ctx.result.skipped.push(skipOutput(ctx.cmd, `no ${what} could be read from this output`));
  return null;
}

/** Reads one command's output; returns the used-block summary, or null when nothing was used. */
function dispatch(kind: Exclude<CommandKind, { kind: 'exit' } | { kind: 'unsupported' } | { kind: 'shell' }>, ctx: CommandContext): string | null {
  const { cmd, filtered } = ctx;
  const lines = cmd.output;
  const first = cmd.firstOutputLine;
  const jsonOpts = { line: first };
  const jsonOf = (): unknown | null => {
    const j = parseJsonOutput(cmd);
    if (!j.ok) {
      ctx.result.skipped.push(skipOutput(cmd, j.message));
      return null;
    }
    return j.value;
  };
  switch (kind.kind) {
    case 'ip-link': {
      let items: Array<{ link: Link; addresses: import('../../snapshot/schema').Address[] }>;
      if (kind.json) {
        const v = jsonOf();
        if (v === null) return null;
        if (kind.addresses) {
          const out = readIpAddrJson(v, jsonOpts);
          absorb(ctx, out);
          items = out.items;
        } else {
          const out = readIpLinkJson(v, jsonOpts);
          absorb(ctx, out);
          items = out.items.map((link) => ({ link, addresses: [] }));
        }
      } else {
        const out = parseIpLinkText(lines, first, kind.dev !== undefined ? { dev: kind.dev } : {});
        if (!absorb(ctx, out)) return nothingRead(ctx, 'interfaces');
        items = out.items;
      }
      const ns = ctx.ns();
      const complete = !filtered && !kind.selective;
      markSection(ns, 'links', complete);
      if (kind.addresses) markSection(ns, 'addresses', complete);
      let nAddr = 0;
      for (const item of items) {
        mergeLink(ns, item.link);
        addAddresses(ns, item.addresses);
        nAddr += item.addresses.length;
      }
      return kind.addresses ? `${plural(items.length, 'link')}, ${plural(nAddr, 'address')}` : plural(items.length, 'link');
    }
    case 'ip-route': {
      const table = kind.table === 'all' ? undefined : kind.table;
      const opts: { table?: string; family?: 4 | 6; dev?: string } = {};
      if (table !== undefined) opts.table = table;
      if (kind.family !== undefined) opts.family = kind.family;
      if (kind.dev !== undefined) opts.dev = kind.dev;
      let out: ParseOutput<import('../../snapshot/schema').Route>;
      if (kind.json) {
        const v = jsonOf();
        if (v === null) return null;
        out = readIpRouteJson(v, { ...jsonOpts, ...(table !== undefined ? { table } : {}), ...(kind.family !== undefined ? { family: kind.family } : {}) });
      } else out = parseIpRouteText(lines, first, opts);
      if (!absorb(ctx, out)) return nothingRead(ctx, 'routes');
      const ns = ctx.ns();
      // Only a listing of the main table (or all tables) says which routes are absent.
      const wholeTable = table === undefined || table === 'main' || table === '254';
      markSection(ns, 'routes', !filtered && !kind.selective && wholeTable);
      addRoutes(ns, out.items);
      return plural(out.items.length, 'route') + (table !== undefined ? ` (table ${table})` : kind.table === 'all' ? ' (all tables)' : '');
    }
    case 'ip-rule': {
      let out;
      if (kind.json) {
        const v = jsonOf();
        if (v === null) return null;
        out = readIpRuleJson(v, { ...jsonOpts, ...(kind.family !== undefined ? { family: kind.family } : {}) });
      } else out = parseIpRuleText(lines, first, kind.family !== undefined ? { family: kind.family } : {});
      if (!absorb(ctx, out)) return nothingRead(ctx, 'rules');
      const ns = ctx.ns();
      markSection(ns, 'rules', !filtered);
      addRules(ns, out.items);
      return plural(out.items.length, 'rule');
    }
    case 'ip-neigh': {
      let out;
      if (kind.json) {
        const v = jsonOf();
        if (v === null) return null;
        out = readIpNeighJson(v, jsonOpts);
        if (kind.dev !== undefined) for (const n of out.items) if (!n.dev) n.dev = kind.dev;
      } else out = parseIpNeighText(lines, first, kind.dev !== undefined ? { dev: kind.dev } : {});
      if (!absorb(ctx, out)) return nothingRead(ctx, 'neighbours');
      const ns = ctx.ns();
      markSection(ns, 'neighbours', !filtered && !kind.selective);
      addNeighbours(ns, out.items);
      return plural(out.items.length, 'neighbour');
    }
    case 'ip-netns-list': {
      let entries: Array<{ name: string; nsid?: number }>;
      if (kind.json) {
        const v = jsonOf();
        if (v === null) return null;
        entries = Array.isArray(v)
          ? v
              .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null && typeof (e as Record<string, unknown>).name === 'string')
              .map((e) => (typeof e.id === 'number' ? { name: e.name as string, nsid: e.id } : { name: e.name as string }))
          : [];
      } else {
        const out = parseIpNetnsListText(lines, first);
        if (!absorb(ctx, out)) return nothingRead(ctx, 'namespaces');
        entries = out.items;
      }
      const ns = ctx.ns();
      const ids = entries.filter((e) => e.nsid !== undefined).map((e) => ({ nsid: e.nsid as number, name: e.name.slice(0, 256) }));
      if (ids.length > 0) {
        markSection(ns, 'netnsIds', false);
        addNetnsIds(ns, ids);
      }
      // Named namespaces exist on the node even when nothing ran inside them.
      for (const e of entries) netnsEvidence(ctx.node, safeNetnsName(e.name), { kind: 'other', source: 'ip netns list' });
      return plural(entries.length, 'named netns');
    }
    case 'ip-netns-list-id': {
      let out;
      if (kind.json) {
        const v = jsonOf();
        if (v === null) return null;
        out = readNetnsListIdJson(v, jsonOpts);
      } else out = parseIpNetnsListIdText(lines, first);
      if (!absorb(ctx, out)) return nothingRead(ctx, 'netns ids');
      const ns = ctx.ns();
      markSection(ns, 'netnsIds', !filtered);
      addNetnsIds(ns, out.items);
      return plural(out.items.length, 'netns id');
    }
    case 'bridge-fdb': {
      let out;
      if (kind.json) {
        const v = jsonOf();
        if (v === null) return null;
        out = readBridgeFdbJson(v, jsonOpts);
      } else out = parseBridgeFdbText(lines, first, kind.dev !== undefined ? { dev: kind.dev } : {});
      if (!absorb(ctx, out)) return nothingRead(ctx, 'FDB entries');
      const ns = ctx.ns();
      markSection(ns, 'fdb', !filtered && !kind.selective);
      addFdb(ns, out.items);
      return plural(out.items.length, 'FDB entry').replace('entrys', 'entries');
    }
    case 'bridge-link': {
      let out;
      if (kind.json) {
        const v = jsonOf();
        if (v === null) return null;
        out = readBridgeLinkJson(v);
      } else out = parseBridgeLinkText(lines, first);
      if (!absorb(ctx, out)) return nothingRead(ctx, 'bridge ports');
      const ns = ctx.ns();
      markSection(ns, 'links', false);
      for (const link of out.items) {
        mergeLink(ns, link);
        if (link.master !== undefined) mergeLink(ns, { name: link.master, kind: 'bridge' });
      }
      return plural(out.items.length, 'bridge port');
    }
    case 'route-n': {
      const out = parseRouteNText(lines, first);
      if (!absorb(ctx, out)) return nothingRead(ctx, 'routes');
      if (!kind.numeric) ctx.result.warnings.push({ line: cmd.line, message: 'route without -n may print host names instead of addresses' });
      const ns = ctx.ns();
      markSection(ns, 'routes', !filtered);
      addRoutes(ns, out.items);
      return plural(out.items.length, 'route');
    }
    case 'brctl-show': {
      const out = parseBrctlShow(lines, first);
      if (!absorb(ctx, out)) return nothingRead(ctx, 'bridges');
      const ns = ctx.ns();
      markSection(ns, 'links', false);
      let ports = 0;
      for (const br of out.items) {
        mergeLink(ns, { name: br.name, kind: 'bridge' });
        for (const p of br.interfaces) {
          mergeLink(ns, { name: p, master: br.name });
          ports++;
        }
      }
      return `${plural(out.items.length, 'bridge')}, ${plural(ports, 'port')}`;
    }
    case 'kubectl-get': {
      if (kind.output === 'other') {
        ctx.result.skipped.push(skipOutput(cmd, 'kubectl output format not read (use -o wide or -o json)'));
        return null;
      }
      if (kind.resource === 'services' || kind.resource === 'endpoints') {
        if (kind.output === 'json') {
          ctx.result.skipped.push(skipOutput(cmd, `kubectl get ${kind.resource} -o json is not read; paste the table (kubectl get ${kind.resource} -A)`));
          return null;
        }
        const namespace = kind.namespace ?? (kind.allNamespaces ? undefined : 'default');
        const nsOpt = namespace !== undefined ? { namespace } : {};
        if (kind.resource === 'services') {
          const out = parseKubectlGetServices(lines, first, nsOpt);
          if (!absorb(ctx, out)) return nothingRead(ctx, 'services');
          addServices(ctx.node, out.items);
          return plural(out.items.length, 'service');
        }
        const out = parseKubectlGetEndpoints(lines, first, nsOpt);
        if (!absorb(ctx, out)) return nothingRead(ctx, 'endpoints');
        addEndpoints(ctx.node, out.items);
        return `endpoints of ${plural(out.items.length, 'service')}`;
      }
      if (kind.output === 'json') {
        const v = jsonOf();
        if (v === null) return null;
        const out = readKubectlJson(v);
        absorb(ctx, out);
        const found = out.items[0];
        if (!found) return nothingRead(ctx, 'pods or nodes');
        addPods(ctx.node, found.pods);
        addK8sNodes(ctx.node, found.nodes);
        return `${plural(found.pods.length, 'pod')}, ${plural(found.nodes.length, 'node')}`;
      }
      if (kind.resource === 'pods') {
        // Without -n, kubectl uses the context's namespace; like `kubectl exec` without -n, read it as `default`.
        const namespace = kind.namespace ?? (kind.allNamespaces ? undefined : 'default');
        const out = parseKubectlGetPods(lines, first, namespace !== undefined ? { namespace } : {});
        if (!absorb(ctx, out)) return nothingRead(ctx, 'pods');
        addPods(ctx.node, out.items);
        return plural(out.items.length, 'pod');
      }
      const out = parseKubectlGetNodes(lines, first);
      if (!absorb(ctx, out)) return nothingRead(ctx, 'nodes');
      addK8sNodes(ctx.node, out.items);
      return plural(out.items.length, 'node');
    }
    case 'iptables-save': {
      const target = cmd.scope.target;
      // kube-proxy runs with hostNetwork: its own pod sees the node's rules; any other netns has its own.
      if (target.kind !== 'host' && target.kind !== 'node' && !(target.kind === 'pod' && /^kube-proxy/.test(target.pod))) {
        ctx.result.skipped.push(skipOutput(cmd, 'iptables rules of a namespace other than the node\'s: kube-proxy writes its Service rules in the host netns'));
        return null;
      }
      const out = parseIptablesSave(lines, first, kind.table);
      absorb(ctx, out);
      const rules = out.items[0];
      if (!rules) return nothingRead(ctx, 'kube-proxy rules (KUBE-SERVICES, KUBE-SVC-*, KUBE-SEP-*)');
      if (filtered && !keepsKubeLines(cmd.text)) rules.filtered = true;
      addKubeProxyRules(ctx.node, rules);
      const n = (rules.nat?.length ?? 0) + (rules.filter?.length ?? 0);
      return `${plural(n, 'kube-proxy rule')}${rules.mode ? ` (${rules.mode} mode)` : ''}`;
    }
    case 'kubectl-describe-node': {
      const out = parseKubectlDescribeNode(lines, first);
      if (!absorb(ctx, out)) return nothingRead(ctx, 'nodes');
      addK8sNodes(ctx.node, out.items);
      for (const n of out.items) ctx.node.describedNodes.add(n.name);
      return plural(out.items.length, 'node');
    }
    case 'ethtool-stats': {
      const out = parseEthtoolStats(lines, first);
      if (!absorb(ctx, out)) return nothingRead(ctx, 'statistics');
      const stats = out.items[0];
      if (stats?.peerIfindex === undefined) {
        ctx.result.skipped.push(skipOutput(cmd, `no peer_ifindex: ${kind.ifname} is not a veth, or the output was cut`));
        return null;
      }
      const ns = ctx.ns();
      markSection(ns, 'links', false);
      mergeLink(ns, { name: kind.ifname, kind: 'veth', peer: { ifindex: stats.peerIfindex } });
      return `${kind.ifname} peer ifindex ${stats.peerIfindex}`;
    }
    case 'sysfs-read':
      return readSysfsValue(ctx, kind.ifname, kind.attr, lines, first);
    case 'sysfs-grep': {
      if (kind.mode === 'values') {
        const out = parseSysfsGrepValues(lines, first, kind.attr);
        if (!absorb(ctx, out)) return nothingRead(ctx, 'sysfs values');
        const parts = out.items.map((it) => readSysfsValue(ctx, it.ifname, kind.attr, [it.value], first, true)).filter((s) => s !== null);
        return parts.length > 0 ? plural(parts.length, `${kind.attr} value`) : null;
      }
      const out = parseSysfsGrepList(lines, first, kind.attr);
      if (!absorb(ctx, out)) return nothingRead(ctx, 'interface names');
      const ns = ctx.ns();
      markSection(ns, 'links', false);
      // `grep -l 220` also matches 1220 or 2201; one match is taken as the value, several are not.
      const trusted = kind.exact || out.items.length === 1;
      if (!trusted) {
        ctx.result.warnings.push({ line: cmd.line, message: `grep -l ${kind.value ?? ''} matched several files; the pattern also matches longer numbers, so their ${kind.attr} is not assumed` });
      }
      for (const name of out.items) {
        if (!trusted || kind.value === undefined) mergeLink(ns, { name });
        else if (kind.attr === 'ifindex') mergeLink(ns, { name, ifindex: kind.value });
        else if (kind.attr === 'iflink') mergeLink(ns, { name, peer: { ifindex: kind.value } });
        else mergeLink(ns, { name });
      }
      return trusted && kind.value !== undefined ? `${out.items.join(', ')} ${kind.attr} ${kind.value}`.slice(0, 300) : plural(out.items.length, 'link');
    }
    case 'sysfs-list': {
      const listing: { ifname?: string; brif: boolean } = { brif: kind.brif };
      if (kind.ifname !== undefined) listing.ifname = kind.ifname;
      const out = parseSysfsListing(lines, first, listing);
      if (!absorb(ctx, out)) return nothingRead(ctx, 'sysfs entries');
      const ns = ctx.ns();
      const self = kind.ifname;
      let facts = 0;
      markSection(ns, 'links', self === undefined && !filtered);
      for (const f of out.items) {
        switch (f.kind) {
          case 'device':
            mergeLink(ns, f.virtual === false ? { name: f.name, kind: 'device' } : { name: f.name });
            facts++;
            break;
          case 'master':
            if (self !== undefined) mergeLink(ns, { name: self, master: f.master });
            facts++;
            break;
          case 'lower': {
            // A bridge's lower devices are its ports; a vlan's lower device is its parent, not a port.
            const selfKind = self !== undefined ? ns.links.get(self)?.kind : undefined;
            if (self !== undefined && selfKind !== 'vlan' && selfKind !== 'macvlan' && selfKind !== 'ipvlan') {
              mergeLink(ns, { name: f.name, master: self });
              facts++;
            }
            break;
          }
          case 'port':
            if (self !== undefined) {
              mergeLink(ns, { name: self, kind: 'bridge' });
              mergeLink(ns, { name: f.name, master: self });
              facts++;
            }
            break;
          case 'is-bridge':
            if (self !== undefined) mergeLink(ns, { name: self, kind: 'bridge' });
            facts++;
            break;
          case 'upper':
          case 'is-bridge-port':
            break;
          default: {
            const never: never = f;
            void never;
          }
        }
      }
      if (self !== undefined && !ns.links.has(self)) mergeLink(ns, { name: self });
      return self === undefined ? plural(facts, 'device') : `${plural(facts, 'fact')} about ${self}`;
    }
    case 'sysctl': {
      const out = parseSysctl(lines, first, { keys: kind.keys, valuesOnly: kind.valuesOnly });
      if (!absorb(ctx, out)) return nothingRead(ctx, 'sysctl values');
      // Only an unfiltered `sysctl -a` lists every parameter.
      return addSysctls(ctx, out.items, !ctx.filtered && kind.keys.length === 0);
    }
    case 'apiserver-flags': {
      // The flag may be printed as `--service-cluster-ip-range=10.96.0.0/12` (ps) or `- --service-cluster-ip-range=…` (the manifest).
      const found: string[] = [];
      for (const l of lines) {
        const m = /--service-cluster-ip-range[= ]([0-9a-fA-F:.,/]+)/.exec(l);
        if (!m) continue;
        for (const c of (m[1] as string).split(',')) if (/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(c) && !found.includes(c)) found.push(c);
      }
      if (found.length === 0) {
        ctx.result.skipped.push(skipOutput(cmd, 'no --service-cluster-ip-range in this output; podnet reads only the Service ClusterIP range from the API server\'s flags'));
        return null;
      }
      for (const c of found) if (!ctx.node.serviceCidrs.includes(c)) ctx.node.serviceCidrs.push(c);
      return `Service ClusterIP range ${found.join(', ')}`;
    }
    case 'flannel-subnet-env': {
      const out = parseFlannelSubnetEnv(lines, first);
      if (!absorb(ctx, out)) return nothingRead(ctx, 'FLANNEL_* values');
      const env = out.items[0];
      if (env === undefined) return nothingRead(ctx, 'FLANNEL_* values');
      // subnet.env describes the node, wherever the cat ran (a flannel pod mounts the same file).
      if (env.podCidr !== undefined && !ctx.node.podCidrs.includes(env.podCidr)) ctx.node.podCidrs.push(env.podCidr);
      const parts = [env.podCidr !== undefined ? `podCIDR ${env.podCidr}` : null, env.network !== undefined ? `network ${env.network}` : null, env.mtu !== undefined ? `MTU ${env.mtu}` : null];
      return parts.filter((p) => p !== null).join(', ');
    }
    case 'ifconfig': {
      const out = parseIfconfig(lines, first);
      if (!absorb(ctx, out)) return nothingRead(ctx, 'interfaces');
      const ns = ctx.ns();
      // ifconfig without -a hides interfaces that are down, so only `-a` lists every link.
      const all = cmd.command.argv.slice(1).some((a) => /^-[a-zA-Z]*a/.test(a));
      const one = cmd.command.argv.slice(1).some((a) => !a.startsWith('-'));
      markSection(ns, 'links', all && !one && !filtered);
      markSection(ns, 'addresses', !one && !filtered);
      let nAddr = 0;
      for (const item of out.items) {
        mergeLink(ns, item.link);
        addAddresses(ns, item.addresses);
        nAddr += item.addresses.length;
      }
      return `${plural(out.items.length, 'link')}, ${plural(nAddr, 'address')}`;
    }
    case 'arp': {
      const out = parseArp(lines, first);
      if (!absorb(ctx, out)) return nothingRead(ctx, 'neighbours');
      const ns = ctx.ns();
      // ARP lists IPv4 only: never the whole neighbour table.
      markSection(ns, 'neighbours', false);
      addNeighbours(ns, out.items);
      return plural(out.items.length, 'neighbour');
    }
    case 'proc-sys': {
      const out = parseProcSysValue(lines, first, kind.key);
      if (!absorb(ctx, out)) return nothingRead(ctx, 'sysctl values');
      return addSysctls(ctx, out.items, false);
    }
    default: {
      const never: never = kind;
      return never;
    }
  }
}

function addSysctls(ctx: CommandContext, items: SysctlValue[], complete: boolean): string {
  const ns = ctx.ns();
  markSection(ns, 'sysctls', complete);
  for (const it of items) ns.sysctls[it.key] = it.value;
  return items.length === 1 && items[0] ? `${items[0].key} = ${items[0].value}`.slice(0, 300) : plural(items.length, 'sysctl');
}

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** One `/sys/class/net/IF/ATTR` value. */
function readSysfsValue(
  ctx: CommandContext,
  ifname: string,
  attr: string,
  lines: string[],
  first: number,
  quiet = false,
): string | null {
  const numeric = attr === 'iflink' || attr === 'ifindex' || attr === 'mtu';
  if (numeric) {
    const out = parseSysfsNumber(lines, first, attr);
    if (!quiet) absorb(ctx, out);
    const v = out.items[0];
    if (v === undefined) return quiet ? null : nothingRead(ctx, `${attr} value`);
    const ns = ctx.ns();
    markSection(ns, 'links', false);
    if (attr === 'iflink') mergeLink(ns, { name: ifname, peer: { ifindex: v } });
    else if (attr === 'ifindex') mergeLink(ns, { name: ifname, ifindex: v });
    else mergeLink(ns, { name: ifname, mtu: v });
    return `${ifname} ${attr} ${v}`;
  }
  if (attr === 'address' || attr === 'operstate') {
    const out = parseSysfsText(lines, first, attr);
    if (!quiet) absorb(ctx, out);
    const v = out.items[0];
    if (v === undefined) return quiet ? null : nothingRead(ctx, `${attr} value`);
    if (attr === 'address' && !MAC.test(v)) return quiet ? null : nothingRead(ctx, 'MAC address');
    const ns = ctx.ns();
    markSection(ns, 'links', false);
    mergeLink(ns, attr === 'address' ? { name: ifname, mac: v.toLowerCase() } : { name: ifname, operState: v.toUpperCase() });
    return `${ifname} ${attr} ${v}`;
  }
  if (!quiet) ctx.result.skipped.push(skipOutput(ctx.cmd, `/sys/class/net/${ifname}/${attr} is not read`));
  return null;
}
