/**
 * `iptables-save [-t nat]` and `iptables [-t nat] -S` → kube-proxy's rules
 * (DOMAIN §6). Only what kube-proxy owns is kept, verbatim and in order: the
 * KUBE-* chains and the PREROUTING/OUTPUT/POSTROUTING jumps into them. The
 * rest of a node's firewall (Docker, CNI, the distribution's own) is skipped
 * as one block per run of lines, so a 2,000-line iptables-save does not bury
 * the user in noise. The topology interprets the kept rules (services.ts);
 * this reader only sorts lines into tables.
 */
import type { KubeProxyRules } from '../../snapshot/schema';
import type { ParseOutput, SkippedBlock } from '../types';
import { skipLine } from './lineText';

/** Chains of the filter table kube-proxy writes: seen without a `*filter` header (`iptables-save | grep KUBE`), they still belong there. */
const FILTER_CHAINS = new Set(['KUBE-FORWARD', 'KUBE-FIREWALL', 'KUBE-EXTERNAL-SERVICES', 'KUBE-NODE-PORT', 'KUBE-PROXY-FIREWALL', 'KUBE-PROXY-CANARY', 'KUBE-KUBELET-CANARY']);
const BUILTIN = new Set(['PREROUTING', 'OUTPUT', 'POSTROUTING', 'INPUT', 'FORWARD']);
/** A rule line can hold a long comment; longer than this is not something iptables-save printed. */
const MAX_RULE = 4096;

type Table = 'nat' | 'filter';

/** Which table a header-less rule belongs to: the filter-only chains, and KUBE-SERVICES' REJECTs (Services without endpoints). */
function guessTable(chain: string, rule: string): Table {
  if (FILTER_CHAINS.has(chain)) return 'filter';
  if (chain === 'KUBE-SERVICES' && /\s-j\s+(REJECT|DROP)\b/.test(rule)) return 'filter';
  if (chain === 'INPUT' || chain === 'FORWARD') return 'filter';
  return 'nat';
}

/**
 * Parses iptables-save (or `iptables -S`) output. `table` is the one the
 * command asked for (`-t nat`); headers (`*nat`) override it. Never throws.
 */
export function parseIptablesSave(lines: readonly string[], firstLine: number, table?: string): ParseOutput<KubeProxyRules> {
  const out: ParseOutput<KubeProxyRules> = { items: [], warnings: [], skipped: [] };
  const nat: string[] = [];
  const filter: string[] = [];
  let current: string | undefined = table;
  let ipvs = false;
  let otherRun: { start: number; end: number; text: string; chains: Set<string> } | null = null;
  const flushOther = (): void => {
    if (!otherRun) return;
    const chains = [...otherRun.chains].slice(0, 6).join(', ');
    const block: SkippedBlock = {
      startLine: otherRun.start,
      endLine: otherRun.end,
      reason: `rules of chains kube-proxy does not own (${chains}${otherRun.chains.size > 6 ? ', …' : ''}); podnet reads only kube-proxy's Service rules`,
      text: otherRun.text.slice(0, 200),
    };
    out.skipped.push(block);
    otherRun = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = firstLine + i;
    const text = (lines[i] ?? '').replace(/\r/g, '').trim();
    if (text === '' || text === 'COMMIT' || text.startsWith('#')) continue;
    const header = /^\*(\w+)$/.exec(text);
    if (header) {
      flushOther();
      current = header[1];
      continue;
    }
    // Chain declarations (`:KUBE-SVC-X - [0:0]`) and policies (`-P`, `-N` of iptables -S) say nothing a trace uses.
    if (/^:[\w-]+\s+\S+/.test(text) || /^-[PN]\s+[\w-]+/.test(text)) continue;
    const rule = /^-A\s+([\w-]+)\s/.exec(text);
    if (!rule || text.length > MAX_RULE) {
      flushOther();
      out.skipped.push(skipLine(line, text, 'not an iptables-save rule (`-A CHAIN …`)'));
      continue;
    }
    const chain = rule[1] as string;
    const tbl: string = current ?? guessTable(chain, text);
    const kubes = chain.startsWith('KUBE-') || (BUILTIN.has(chain) && /\s-j\s+KUBE-/.test(text));
    if (!kubes || (tbl !== 'nat' && tbl !== 'filter')) {
      if (!otherRun) otherRun = { start: line, end: line, text, chains: new Set() };
      otherRun.end = line;
      otherRun.chains.add(tbl === 'nat' || tbl === 'filter' ? chain : `${tbl} table`);
      continue;
    }
    flushOther();
    if (/--match-set\s+KUBE-CLUSTER-IP\b/.test(text)) ipvs = true;
    (tbl === 'nat' ? nat : filter).push(text);
  }
  flushOther();
  if (nat.length === 0 && filter.length === 0) return out;
  const rules: KubeProxyRules = {};
  if (nat.some((r) => /-j\s+KUBE-(SVC|SEP)-/.test(r))) rules.mode = 'iptables';
  if (ipvs) rules.mode = 'ipvs';
  if (nat.length > 0) rules.nat = nat;
  if (filter.length > 0) rules.filter = filter;
  out.items.push(rules);
  return out;
}

/** True when a pipe after iptables-save keeps every kube-proxy line (`| grep KUBE`, `| grep -i kube`). */
export function keepsKubeLines(commandText: string): boolean {
  const stages = commandText.split('|').slice(1).map((s) => s.trim());
  return stages.every((s) => /^(e?grep|rg)\s+(-[a-zA-Z]+\s+)*['"]?KUBE-?['"]?\s*$/i.test(s) && !/\s-[a-zA-Z]*v/.test(s));
}
