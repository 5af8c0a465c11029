/**
 * `ip neigh` / `ip -6 neigh` text → neighbour entries (ARP / NDP cache).
 */
import type { Neighbour } from '../../snapshot/schema';
import type { ParseOutput } from '../types';
import { emptyOutput, ipOrNull, isIfName, isMac, normalMac, numberLines, skip, tokens } from './text';

/** What the caller knows that `ip neigh show dev X` leaves out of each line. */
export interface IpNeighTextOptions {
  /** `ip neigh show dev X` omits `dev X` from every line. */
  dev?: string;
}

/** NUD states iproute2 prints in capitals at the end of a line. */
const STATES: ReadonlySet<string> = new Set([
  'INCOMPLETE',
  'REACHABLE',
  'STALE',
  'DELAY',
  'PROBE',
  'FAILED',
  'NOARP',
  'PERMANENT',
  'NONE',
]);

/**
 * Parses `ip neigh` output: `10.0.0.1 dev eth0 lladdr aa:bb:… router STALE`.
 * Never throws; lines that are not entries come back in `skipped`.
 */
export function parseIpNeighText(
  lines: readonly string[],
  firstLine: number,
  opts: IpNeighTextOptions = {},
): ParseOutput<Neighbour> {
  const out = emptyOutput<Neighbour>();
  for (const { line, text } of numberLines(lines, firstLine)) {
    const toks = tokens(text);
    // `ip neigh show proxy` prints `proxy`-flagged lines; `Delete` lines come from `ip monitor`.
    const dst = ipOrNull(toks[0]);
    if (dst === null) {
      out.skipped.push(skip(line, 'not an ip neigh line: expected an IP address first', text));
      continue;
    }
    let dev: string | undefined;
    let lladdr: string | undefined;
    let router = false;
    const state: string[] = [];
    for (let i = 1; i < toks.length; i++) {
      const key = toks[i] ?? '';
      const value = toks[i + 1];
      switch (key) {
        case 'dev':
          if (isIfName(value)) dev = value;
          i++;
          break;
        case 'lladdr':
          if (isMac(value)) lladdr = normalMac(value);
          i++;
          break;
        case 'router':
          router = true;
          break;
        case 'proto':
        case 'vrf':
        case 'used':
        case 'probes':
          i++;
          break;
        default:
          if (STATES.has(key) && !state.includes(key) && state.length < 8) state.push(key);
      }
    }
    dev ??= isIfName(opts.dev) ? opts.dev : undefined;
    if (dev === undefined) {
      out.skipped.push(skip(line, 'neighbour without "dev X" (run ip neigh without a dev filter, or say which device)', text));
      continue;
    }
    const n: Neighbour = { dst, dev };
    if (lladdr !== undefined) n.lladdr = lladdr;
    if (state.length > 0) n.state = state;
    if (router) n.router = true;
    out.items.push(n);
  }
  return out;
}
