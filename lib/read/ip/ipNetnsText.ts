/**
 * `ip netns` / `ip netns list` and `ip netns list-id` text.
 */
import type { NetnsId } from '../../snapshot/schema';
import type { ParseOutput } from '../types';
import { emptyOutput, numberLines, parseInt32, skip, tokens } from './text';

/** A named network namespace (`/var/run/netns/NAME`) and the id this namespace gave it, if any. */
export interface NetnsListEntry {
  name: string;
  nsid?: number;
}

// Names under /var/run/netns: file names, so no `/`; iproute2 rejects `.` and `..`.
const NETNS_NAME = /^[^\s/()]{1,255}$/;

/**
 * Parses `ip netns list`: `cni-1234 (id: 3)` or a bare name per line.
 * Never throws.
 */
export function parseIpNetnsListText(lines: readonly string[], firstLine: number): ParseOutput<NetnsListEntry> {
  const out = emptyOutput<NetnsListEntry>();
  for (const { line, text } of numberLines(lines, firstLine)) {
    const m = /^\s*(\S+)(?:\s+\(id:\s*(-?\d+)\))?\s*$/.exec(text);
    const name = m?.[1];
    if (!m || name === undefined || !NETNS_NAME.test(name) || name === '.' || name === '..') {
      out.skipped.push(skip(line, 'not an ip netns line: expected a namespace name, optionally "(id: N)"', text));
      continue;
    }
    const nsid = parseInt32(m[2]);
    out.items.push(nsid !== null && nsid >= -1 ? { name, nsid } : { name });
  }
  return out;
}

/**
 * Parses `ip netns list-id`: `nsid 0 (iproute2 netns name: cni-…)`, possibly
 * with `current-nsid N`. Never throws.
 */
export function parseIpNetnsListIdText(lines: readonly string[], firstLine: number): ParseOutput<NetnsId> {
  const out = emptyOutput<NetnsId>();
  for (const { line, text } of numberLines(lines, firstLine)) {
    const nameMatch = /\(iproute2 netns name:\s*([^)\s]+)\s*\)/.exec(text);
    const toks = tokens(text.replace(/\(.*\)/, ''));
    if (toks[0] !== 'nsid') {
      out.skipped.push(skip(line, 'not an ip netns list-id line: expected "nsid N …"', text));
      continue;
    }
    const nsid = parseInt32(toks[1]);
    if (nsid === null || nsid < -1) {
      out.skipped.push(skip(line, `unreadable nsid "${toks[1] ?? ''}"`, text));
      continue;
    }
    const entry: NetnsId = { nsid };
    const cur = toks.indexOf('current-nsid');
    const current = cur >= 0 ? parseInt32(toks[cur + 1]) : null;
    if (current !== null) entry.currentNsid = current;
    const name = nameMatch?.[1];
    if (name !== undefined && NETNS_NAME.test(name)) entry.name = name;
    out.items.push(entry);
  }
  return out;
}
