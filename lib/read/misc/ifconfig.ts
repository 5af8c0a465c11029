/**
 * net-tools `ifconfig` → links and addresses. Many people still paste
 * ifconfig, in two shapes: the modern one (net-tools ≥ 2.10, Debian/RHEL 8:
 * `eth0: flags=4163<UP,…>  mtu 1500` then `inet A  netmask M`) and the old one
 * that CentOS 6 and every busybox image print (`eth0      Link encap:Ethernet
 * HWaddr …` then `inet addr:A  Bcast:B  Mask:M`). ifconfig shows no ifindex,
 * no veth peer and no bridge master: those must come from other commands.
 */
import type { Address, Link } from '../../snapshot/schema';
import { maskLength } from '../ip/routeNText';
import { canonicalIp, ipFamily } from '../../net/ip';
import type { ParseOutput } from '../types';
import { isIfname, skipLine } from './lineText';

/** One interface stanza of ifconfig: the link and its addresses. */
export interface IfconfigInterface {
  link: Link;
  addresses: Address[];
}

const MAC = /^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/;

function mac(s: string | undefined): string | undefined {
  return s !== undefined && MAC.test(s) ? s.replace(/-/g, ':').toLowerCase() : undefined;
}

/** Kernel scope names from ifconfig's `scopeid 0x20<link>` / `Scope:Link`. */
function scopeOf(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const name = (/<(\w+)>/.exec(s)?.[1] ?? s).toLowerCase();
  if (name === 'global' || name === 'link' || name === 'host' || name === 'site') return name;
  if (name === 'compat') return 'global';
  return undefined;
}

/** An IPv4 address's scope: ifconfig does not print it, but loopback addresses are `host` to the kernel. */
function v4Scope(ip: string): string {
  return ip.startsWith('127.') ? 'host' : 'global';
}

interface Stanza {
  item: IfconfigInterface;
  /** `eth0:1` alias names the label of its addresses; they belong to `eth0`. */
  label?: string;
}

/** Parses ifconfig output (both formats, mixed stanzas allowed). Never throws. */
export function parseIfconfig(lines: readonly string[], firstLine: number): ParseOutput<IfconfigInterface> {
  const out: ParseOutput<IfconfigInterface> = { items: [], warnings: [], skipped: [] };
  const byName = new Map<string, IfconfigInterface>();
  let cur: Stanza | null = null;

  const open = (rawName: string, line: number, text: string): Stanza | null => {
    const colon = rawName.indexOf(':');
    const base = colon > 0 ? rawName.slice(0, colon) : rawName;
    if (!isIfname(base)) {
      out.skipped.push(skipLine(line, text, `"${rawName.slice(0, 40)}" is not an interface name`));
      return null;
    }
    let item = byName.get(base);
    if (!item) {
      item = { link: { name: base }, addresses: [] };
      byName.set(base, item);
      out.items.push(item);
    }
    const s: Stanza = { item };
    if (colon > 0) s.label = rawName;
    return s;
  };

  const addV4 = (s: Stanza, ip: string | undefined, mask: string | undefined, bcast: string | undefined, peer: string | undefined, line: number, text: string): void => {
    if (ip === undefined || ipFamily(ip) !== 4) {
      out.skipped.push(skipLine(line, text, 'expected an IPv4 address after inet'));
      return;
    }
    const len = mask === undefined ? 32 : maskLength(mask);
    if (len === null) {
      out.skipped.push(skipLine(line, text, `unreadable netmask "${mask ?? ''}"`));
      return;
    }
    if (mask === undefined) out.warnings.push({ line, message: `no netmask for ${ip} on ${s.item.link.name}; read as /32` });
    const a: Address = { ifname: s.item.link.name, family: 4, local: ip, prefixlen: len, scope: v4Scope(ip) };
    if (bcast !== undefined && ipFamily(bcast) === 4) a.broadcast = bcast;
    if (peer !== undefined && ipFamily(peer) === 4 && peer !== ip) a.peer = peer;
    if (s.label !== undefined) a.label = s.label;
    // The first IPv4 address of an interface is its primary; aliases and later ones are secondary.
    if (s.item.addresses.some((x) => x.family === 4)) a.secondary = true;
    s.item.addresses.push(a);
  };

  const addV6 = (s: Stanza, raw: string | undefined, prefixlen: number | null, scope: string | undefined, line: number, text: string): void => {
    const ip = raw === undefined ? null : canonicalIp(raw.replace(/%.*$/, ''));
    if (ip === null || ipFamily(ip) !== 6 || prefixlen === null || prefixlen > 128) {
      out.skipped.push(skipLine(line, text, 'expected an IPv6 address and prefix length after inet6'));
      return;
    }
    const a: Address = { ifname: s.item.link.name, family: 6, local: ip, prefixlen };
    const sc = scope ?? (ip.startsWith('fe80:') ? 'link' : ip === '::1' ? 'host' : undefined);
    if (sc !== undefined) a.scope = sc;
    s.item.addresses.push(a);
  };

  for (let i = 0; i < lines.length; i++) {
    const line = firstLine + i;
    const text = (lines[i] ?? '').replace(/\r/g, '').trimEnd();
    const t = text.trim();
    if (t === '') continue;
    const indented = /^\s/.test(text);
    if (!indented) {
      // Modern: `cni0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500`
      const modern = /^(\S+?):?\s+flags=\d+<([^>]*)>(?:\s+mtu\s+(\d+))?/.exec(t);
      if (modern) {
        cur = open(modern[1] as string, line, text);
        if (!cur) continue;
        const flags = (modern[2] ?? '').split(',').filter((f) => f !== '');
        if (cur.label === undefined) {
          cur.item.link.flags = flags;
          cur.item.link.operState = flags.includes('UP') ? (flags.includes('RUNNING') ? 'UP' : 'DOWN') : 'DOWN';
          if (modern[3] !== undefined) cur.item.link.mtu = Number(modern[3]);
          if (flags.includes('LOOPBACK')) cur.item.link.kind = 'loopback';
        }
        continue;
      }
      // Old: `eth0      Link encap:Ethernet  HWaddr 3A:9F:0C:11:7E:42`
      const old = /^(\S+)\s+Link encap:\s*(.+?)(?:\s+HWaddr\s+(\S+))?\s*$/.exec(t);
      if (old) {
        cur = open(old[1] as string, line, text);
        if (!cur) continue;
        const m = mac(old[3]);
        if (m !== undefined && cur.label === undefined) cur.item.link.mac = m;
        if (/Local Loopback/i.test(old[2] ?? '')) cur.item.link.kind = 'loopback';
        continue;
      }
      cur = null;
      out.skipped.push(skipLine(line, text, 'not an ifconfig interface line'));
      continue;
    }
    if (!cur) {
      out.skipped.push(skipLine(line, text, 'ifconfig detail with no interface line before it'));
      continue;
    }
    const s = cur;
    let m: RegExpExecArray | null;
    if ((m = /^inet\s+addr:\s*(\S+)(.*)$/.exec(t))) {
      const rest = m[2] ?? '';
      addV4(s, m[1], /Mask:(\S+)/.exec(rest)?.[1], /Bcast:(\S+)/.exec(rest)?.[1], /P-t-P:(\S+)/.exec(rest)?.[1], line, text);
    } else if ((m = /^inet\s+(\d+\.\d+\.\d+\.\d+)(.*)$/.exec(t))) {
      const rest = m[2] ?? '';
      addV4(s, m[1], /netmask\s+(\S+)/.exec(rest)?.[1], /broadcast\s+(\S+)/.exec(rest)?.[1], /destination\s+(\S+)/.exec(rest)?.[1], line, text);
    } else if ((m = /^inet6\s+addr:\s*([0-9a-fA-F:.]+)\/(\d+)\s*(?:Scope:\s*(\S+))?/.exec(t))) {
      addV6(s, m[1], Number(m[2]), scopeOf(m[3]), line, text);
    } else if ((m = /^inet6\s+([0-9a-fA-F:.%\w]+)\s+prefixlen\s+(\d+)(?:\s+scopeid\s+(\S+))?/.exec(t))) {
      addV6(s, m[1], Number(m[2]), scopeOf(m[3]), line, text);
    } else if ((m = /^ether\s+(\S+)/.exec(t))) {
      const x = mac(m[1]);
      if (x !== undefined && s.label === undefined) s.item.link.mac = x;
    } else if (/^loop\b/.test(t)) {
      s.item.link.kind = 'loopback';
    } else if ((m = /^((?:[A-Z]+\s+)*[A-Z]+)\s+MTU:(\d+)/.exec(t))) {
      // Old format's flags line: `UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1`.
      if (s.label === undefined) {
        const flags = (m[1] ?? '').split(/\s+/).filter((f) => f !== '');
        s.item.link.flags = flags;
        s.item.link.operState = flags.includes('UP') ? (flags.includes('RUNNING') ? 'UP' : 'DOWN') : 'DOWN';
        s.item.link.mtu = Number(m[2]);
      }
    } else if (/^(RX|TX|collisions|Interrupt|Memory|unspec|device|txqueuelen)\b/.test(t)) {
      // Counters and hardware details say nothing about forwarding.
    } else {
      out.skipped.push(skipLine(line, text, 'unrecognised ifconfig detail'));
    }
  }
  return out;
}
