/**
 * `ethtool -S IFNAME`: NIC statistics. For a veth the driver reports
 * `peer_ifindex: N`, the ifindex of the other end in its own namespace.
 */
import type { ParseOutput } from '../types';
import { skipLine } from './lineText';

/** What `ethtool -S` says about a device's veth peer. */
export interface EthtoolStats {
  peerIfindex?: number;
  /** Count of statistics lines read, to tell an empty output from a non-veth. */
  counters: number;
}

/** Parses `ethtool -S` output. Never throws. */
export function parseEthtoolStats(lines: string[], firstLine: number): ParseOutput<EthtoolStats> {
  const out: ParseOutput<EthtoolStats> = { items: [], warnings: [], skipped: [] };
  const stats: EthtoolStats = { counters: 0 };
  lines.forEach((raw, i) => {
    const text = raw.trim();
    if (text === '' || /^NIC statistics:?$/i.test(text)) return;
    const m = /^([\w.\[\]-]+):\s*(-?\d+)$/.exec(text);
    if (!m) {
      if (/no stats available|Operation not supported|No such device/i.test(text)) {
        out.warnings.push({ line: firstLine + i, message: `ethtool: ${text.slice(0, 200)}` });
      } else {
        out.skipped.push(skipLine(firstLine + i, raw, 'not an ethtool statistic'));
      }
      return;
    }
    stats.counters++;
    if (m[1] === 'peer_ifindex') {
      const v = Number(m[2]);
      if (Number.isSafeInteger(v) && v >= 0 && v <= 2 ** 31) stats.peerIfindex = v;
    }
  });
  if (stats.counters > 0) out.items.push(stats);
  return out;
}
