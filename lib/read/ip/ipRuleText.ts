/**
 * `ip rule` / `ip -6 rule` text → policy-routing rules.
 */
import type { Rule } from '../../snapshot/schema';
import type { Family } from '../../net/ip';
import type { ParseOutput } from '../types';
import { emptyOutput, familyOfText, isIfName, normalTable, numberLines, parseInt32, parseUint, prefixOrNull, skip, tokens } from './text';

/** What the caller knows about a rule listing. */
export interface IpRuleTextOptions {
  /** `ip -6 rule`; otherwise the family comes from the selectors, else IPv4. */
  family?: Family;
}

type Action = Rule['action'];

/** Keywords followed by one value podnet does not keep. */
const IGNORED_KEYS: ReadonlySet<string> = new Set([
  'tos',
  'dsfield',
  'uidrange',
  'ipproto',
  'sport',
  'dport',
  'suppress_prefixlength',
  'suppress_ifgroup',
  'realms',
  'map-to',
  'proto',
  'protocol',
  'tun_id',
]);

/**
 * Parses `ip rule` output: `100:\tfrom 10.0.0.0/24 lookup 200`. A line
 * without its `N:` priority (cut from a paste) gets the previous rule's
 * priority, keeping file order, with a warning. Never throws.
 */
export function parseIpRuleText(
  lines: readonly string[],
  firstLine: number,
  opts: IpRuleTextOptions = {},
): ParseOutput<Rule> {
  const out = emptyOutput<Rule>();
  let lastPriority: number | undefined;
  for (const { line, text } of numberLines(lines, firstLine)) {
    let toks = tokens(text);
    let priority: number | null = null;
    const head = toks[0] ?? '';
    const pm = /^(\d+):(.*)$/.exec(head);
    if (pm) {
      priority = parseUint(pm[1]);
      toks = pm[2] ? [pm[2], ...toks.slice(1)] : toks.slice(1);
      if (priority === null) {
        out.skipped.push(skip(line, `unreadable rule priority "${head}"`, text));
        continue;
      }
    }
    const parsed = readRule(toks, opts.family);
    if (typeof parsed === 'string') {
      out.skipped.push(skip(line, parsed, text));
      continue;
    }
    if (priority === null) {
      priority = lastPriority ?? 0;
      out.warnings.push({ line, message: `rule without a priority; assumed ${priority} (ordered after the rule before it)` });
    }
    lastPriority = priority;
    out.items.push({ ...parsed, priority });
  }
  return out;
}

function readRule(toks: string[], optFamily: Family | undefined): Omit<Rule, 'priority'> | string {
  let not = false;
  let srcText: string | undefined;
  let dstText: string | undefined;
  let iif: string | undefined;
  let oif: string | undefined;
  let fwmark: string | undefined;
  let action: Action | undefined;
  let table: string | undefined;
  let gotoTarget: number | undefined;
  let sawSelector = false;
  for (let i = 0; i < toks.length; i++) {
    const key = toks[i] ?? '';
    const value = toks[i + 1];
    switch (key) {
      case 'not':
        not = true;
        break;
      case 'from':
        srcText = value;
        sawSelector = true;
        i++;
        break;
      case 'to':
        dstText = value;
        sawSelector = true;
        i++;
        break;
      case 'iif':
        if (isIfName(value)) iif = value;
        sawSelector = true;
        i++;
        break;
      case 'oif':
        if (isIfName(value)) oif = value;
        sawSelector = true;
        i++;
        break;
      case 'fwmark':
        if (value !== undefined && value.length <= 64) fwmark = value;
        sawSelector = true;
        i++;
        break;
      case 'lookup':
      case 'table':
        if (value === undefined || value.length === 0 || value.length > 256) return 'lookup without a table';
        action = 'lookup';
        table = normalTable(value);
        i++;
        break;
      case 'goto': {
        const g = parseInt32(value);
        if (g === null) return `unreadable goto target "${value ?? ''}"`;
        action = 'goto';
        gotoTarget = g;
        i++;
        break;
      }
      case 'blackhole':
      case 'unreachable':
      case 'prohibit':
      case 'nop':
        action = key;
        break;
      case 'type':
        // Old iproute2: `type unreachable`.
        if (value === 'blackhole' || value === 'unreachable' || value === 'prohibit' || value === 'nop') action = value;
        i++;
        break;
      default:
        if (IGNORED_KEYS.has(key)) i++;
    }
  }
  if (action === undefined) {
    return sawSelector ? 'rule without an action (lookup, goto, blackhole, unreachable, prohibit, nop)' : 'not an ip rule line';
  }
  const family: Family = familyOfText(srcText) ?? familyOfText(dstText) ?? optFamily ?? 4;
  const rule: Omit<Rule, 'priority'> = { family, action };
  if (srcText !== undefined) {
    if (srcText === 'all') rule.src = 'all';
    else {
      const p = prefixOrNull(srcText, family);
      if (p === null) return `unreadable "from" selector "${srcText}"`;
      rule.src = p;
    }
  }
  if (dstText !== undefined && dstText !== 'all') {
    const p = prefixOrNull(dstText, family);
    if (p === null) return `unreadable "to" selector "${dstText}"`;
    rule.dst = p;
  }
  if (iif !== undefined) rule.iif = iif;
  if (oif !== undefined) rule.oif = oif;
  if (fwmark !== undefined) rule.fwmark = fwmark;
  if (not) rule.not = true;
  if (table !== undefined) rule.table = table;
  if (gotoTarget !== undefined) rule.goto = gotoTarget;
  return rule;
}
