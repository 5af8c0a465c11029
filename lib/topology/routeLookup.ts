/**
 * Which host route an outer packet takes: the builder needs it to tell which
 * underlay NIC carries a tunnel whose local address is `any` (Calico's tunl0).
 * Longest prefix match over the main table, lowest metric on ties; policy
 * rules are the tracer's business, not the graph's.
 */
import type { Route } from '../snapshot/schema';
import { parsePrefix, ipToValue, ipv4Mask } from '../net/ip';
import { isMainTable } from './addr';

/** A longest-prefix-match table over the IPv4 main-table unicast routes of one netns. */
export class MainTableV4 {
  private readonly byLength = new Map<number, Map<number, Route>>();
  private readonly lengths: number[];

  constructor(routes: readonly Route[]) {
    for (const route of routes) {
      if (route.family !== 4 || route.type !== 'unicast' || !isMainTable(route.table)) continue;
      const p = parsePrefix(route.dst, 4);
      if (p === null || typeof p.value !== 'number') continue;
      let m = this.byLength.get(p.length);
      if (m === undefined) {
        m = new Map();
        this.byLength.set(p.length, m);
      }
      const prev = m.get(p.value);
      if (prev === undefined || (route.metric ?? 0) < (prev.metric ?? 0)) m.set(p.value, route);
    }
    this.lengths = [...this.byLength.keys()].sort((a, b) => b - a);
  }

  /** The route the kernel would pick for `ip` in the main table, if any. */
  lookup(ip: string): Route | undefined {
    const v = ipToValue(ip);
    if (typeof v !== 'number') return undefined;
    for (const len of this.lengths) {
      const r = this.byLength.get(len)?.get((v & ipv4Mask(len)) >>> 0);
      if (r !== undefined) return r;
    }
    return undefined;
  }
}
