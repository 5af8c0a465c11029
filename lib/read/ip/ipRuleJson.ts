/**
 * `ip -j rule show` (and `ip -j -6 rule`) → policy-routing rules.
 */
import type { Rule } from '../../snapshot/schema';
import type { Family } from '../../net/ip';
import type { ParseOutput } from '../types';
import { flag, int, readArray, str, strOrNum, type JsonObject, type JsonReadOptions } from './json';
import { familyOfText, isIfName, normalTable, prefixOrNull } from './text';

/** What the caller knows about a JSON rule listing. */
export interface IpRuleJsonOptions extends JsonReadOptions {
  /** `ip -j -6 rule`; otherwise the family comes from the selectors, else IPv4. */
  family?: Family;
}

/** `"src": "10.0.0.0", "srclen": 24` → `10.0.0.0/24`; a missing length means a host prefix. */
function selector(o: JsonObject, key: string, family: Family): string | 'all' | undefined | null {
  const addr = str(o, key);
  if (addr === undefined) return undefined;
  if (addr === 'all') return 'all';
  const len = int(o, `${key}len`, 0, 128);
  return prefixOrNull(len === undefined ? addr : `${addr}/${len}`, family);
}

function readRule(o: JsonObject, opts: IpRuleJsonOptions): Rule | string {
  const priority = int(o, 'priority');
  if (priority === undefined) return 'no "priority"';
  const family: Family = familyOfText(str(o, 'src')) ?? familyOfText(str(o, 'dst')) ?? opts.family ?? 4;
  const actionText = str(o, 'action');
  const tableText = strOrNum(o, 'table');
  const gotoTarget = int(o, 'goto', -(2 ** 31), 2 ** 32);
  let action: Rule['action'];
  if (actionText === 'blackhole' || actionText === 'unreachable' || actionText === 'prohibit' || actionText === 'nop') action = actionText;
  else if (actionText === 'goto' || gotoTarget !== undefined) action = 'goto';
  else if (flag(o, 'nop')) action = 'nop';
  else if (tableText !== undefined && tableText.length > 0 && tableText.length <= 256) action = 'lookup';
  else return 'no action (table, goto, blackhole, unreachable, prohibit, nop)';
  const rule: Rule = { family, priority, action };
  const src = selector(o, 'src', family);
  if (src === null) return `unreadable "src" ${String(o.src).slice(0, 64)}`;
  if (src !== undefined) rule.src = src;
  const dst = selector(o, 'dst', family);
  if (dst === null) return `unreadable "dst" ${String(o.dst).slice(0, 64)}`;
  if (dst !== undefined && dst !== 'all') rule.dst = dst;
  const iif = str(o, 'iif');
  if (isIfName(iif)) rule.iif = iif;
  const oif = str(o, 'oif');
  if (isIfName(oif)) rule.oif = oif;
  const fwmark = strOrNum(o, 'fwmark');
  if (fwmark !== undefined && fwmark.length <= 64) {
    const mask = strOrNum(o, 'fwmask');
    // Text prints `fwmark 0x1/0x1`, and only `fwmark 0x1` when the mask is all ones.
    rule.fwmark = mask !== undefined && mask !== '0xffffffff' && mask.length <= 64 ? `${fwmark}/${mask}` : fwmark;
  }
  if (flag(o, 'not')) rule.not = true;
  if (action === 'lookup' && tableText !== undefined) rule.table = normalTable(tableText);
  if (action === 'goto' && gotoTarget !== undefined) rule.goto = gotoTarget;
  return rule;
}

/** Reads `ip -j rule show`. Never throws; unusable items come back in `skipped` by array index. */
export function readIpRuleJson(value: unknown, opts: IpRuleJsonOptions = {}): ParseOutput<Rule> {
  return readArray<Rule>(value, 'ip -j rule show', opts, (o) => readRule(o, opts));
}
