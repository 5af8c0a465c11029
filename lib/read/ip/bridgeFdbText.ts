/**
 * `bridge fdb show` text → forwarding-database entries: bridge ports' learned
 * MACs and VXLAN devices' remote VTEPs (`dst`).
 */
import type { FdbEntry } from '../../snapshot/schema';
import type { ParseOutput } from '../types';
import { emptyOutput, ipOrNull, isIfName, isMac, normalMac, numberLines, parseUint, skip, tokens } from './text';

/** What the caller knows that a filtered `bridge fdb show dev X` leaves out. */
export interface BridgeFdbTextOptions {
  /** `bridge fdb show dev X` omits `dev X` from every line. */
  dev?: string;
}

const FDB_FLAGS: ReadonlySet<string> = new Set(['self', 'extern_learn', 'offload', 'sticky', 'router', 'master']);
const FDB_STATES: ReadonlySet<string> = new Set(['permanent', 'static', 'stale']);
const IGNORED_KEYS: ReadonlySet<string> = new Set(['via', 'nhid', 'src_vni', 'used', 'updated', 'ifindex']);

/**
 * Parses `bridge fdb show`: `MAC dev X [vlan N] [dst IP] [port N] [vni N]
 * [master BR] [self] [permanent|static]`. Never throws.
 */
export function parseBridgeFdbText(
  lines: readonly string[],
  firstLine: number,
  opts: BridgeFdbTextOptions = {},
): ParseOutput<FdbEntry> {
  const out = emptyOutput<FdbEntry>();
  for (const { line, text } of numberLines(lines, firstLine)) {
    const toks = tokens(text);
    const mac = toks[0];
    if (!isMac(mac)) {
      out.skipped.push(skip(line, 'not a bridge fdb line: expected a MAC address first', text));
      continue;
    }
    const e: Partial<FdbEntry> = { mac: normalMac(mac) };
    const flags: string[] = [];
    for (let i = 1; i < toks.length; i++) {
      const key = toks[i] ?? '';
      const value = toks[i + 1];
      switch (key) {
        case 'dev':
          if (isIfName(value)) e.dev = value;
          i++;
          break;
        case 'master':
          // `master cni0` names the bridge; a bare `master` (older iproute2) is a flag.
          if (isIfName(value) && !FDB_FLAGS.has(value) && !FDB_STATES.has(value)) {
            e.master = value;
            i++;
          } else if (!flags.includes('master')) flags.push('master');
          break;
        case 'dst': {
          const ip = ipOrNull(value);
          if (ip !== null) e.dst = ip;
          i++;
          break;
        }
        case 'vlan':
        case 'vni':
        case 'port': {
          const n = parseUint(value);
          if (n !== null) e[key] = n;
          i++;
          break;
        }
        default:
          if (FDB_FLAGS.has(key)) {
            if (!flags.includes(key)) flags.push(key);
          } else if (FDB_STATES.has(key)) {
            e.state = key;
          } else if (IGNORED_KEYS.has(key)) {
            i++;
          }
      }
    }
    e.dev ??= isIfName(opts.dev) ? opts.dev : undefined;
    if (e.dev === undefined) {
      out.skipped.push(skip(line, 'fdb entry without "dev X"', text));
      continue;
    }
    if (flags.length > 0) e.flags = flags;
    out.items.push(clean(e as FdbEntry));
  }
  return out;
}

function clean(e: FdbEntry): FdbEntry {
  const r: FdbEntry = { mac: e.mac, dev: e.dev };
  if (e.master !== undefined) r.master = e.master;
  if (e.dst !== undefined) r.dst = e.dst;
  if (e.vlan !== undefined) r.vlan = e.vlan;
  if (e.vni !== undefined) r.vni = e.vni;
  if (e.port !== undefined) r.port = e.port;
  if (e.flags !== undefined) r.flags = e.flags;
  if (e.state !== undefined) r.state = e.state;
  return r;
}
