/**
 * A set of prefixes answering "does this prefix overlap any member?" in at
 * most one lookup per prefix length, so checking a node's thousand routes
 * against a cluster's thousand podCIDRs stays linear.
 */
import type { Prefix } from '../net/ip';
import { ipv4Mask, parsePrefix } from '../net/ip';

function maskTo(p: Prefix, length: number): string {
  if (p.family === 4 && typeof p.value === 'number') return `4|${(p.value & ipv4Mask(length)) >>> 0}/${length}`;
  const v = typeof p.value === 'bigint' ? p.value : BigInt(p.value);
  const mask = length === 0 ? 0n : ((1n << BigInt(length)) - 1n) << BigInt(128 - length);
  return `6|${v & mask}/${length}`;
}

/** Prefixes, with overlap queries. */
export class PrefixSet {
  private readonly exact = new Set<string>();
  /** Every member masked to every shorter length: a query equal to one of these contains a member. */
  private readonly within = new Set<string>();
  size = 0;

  /** Adds `10.244.0.0/16`-style text; returns false when it is not a prefix. */
  add(text: string): boolean {
    const p = parsePrefix(text, text.includes(':') ? 6 : 4);
    if (p === null) return false;
    const key = maskTo(p, p.length);
    if (this.exact.has(key)) return true;
    this.exact.add(key);
    this.size++;
    for (let l = 0; l <= p.length; l++) this.within.add(maskTo(p, l));
    return true;
  }

  /** True when `text` contains, equals or lies inside a member. */
  overlaps(text: string): boolean {
    const p = parsePrefix(text, text.includes(':') ? 6 : 4);
    if (p === null) return false;
    if (this.within.has(maskTo(p, p.length))) return true;
    for (let l = 0; l < p.length; l++) if (this.exact.has(maskTo(p, l))) return true;
    return false;
  }
}
