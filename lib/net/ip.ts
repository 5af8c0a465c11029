/**
 * Address and prefix math. Parsing and validation come from ipaddr.js; the
 * hot paths (route lookup over thousands of routes) work on IPv4 addresses as
 * unsigned 32-bit numbers and IPv6 as bigints.
 */
import ipaddr from 'ipaddr.js';

/** An address family. */
export type Family = 4 | 6;

/** A parsed prefix: the network address (host bits cleared) and its length. */
export interface Prefix {
  family: Family;
  /** Canonical network address text (`10.244.0.0`, `fd00::`). */
  network: string;
  length: number;
  /** IPv4 network as an unsigned 32-bit number, IPv6 as a bigint. */
  value: number | bigint;
}

/** True when `s` is an IPv4 or IPv6 address (no prefix). */
export function isIp(s: string): boolean {
  return ipFamily(s) !== null;
}

/** The family of an address, or null when `s` is not one. */
export function ipFamily(s: string): Family | null {
  // ipaddr's IPv4 check costs ~20 µs on IPv6 text; a colon settles the family first.
  if (!s.includes(':')) return ipv4ToNumber(s) !== null ? 4 : null;
  return ipaddr.IPv6.isValid(stripZone(s)) ? 6 : null;
}

/**
 * An IPv4 address or prefix (`10.244.3.0/24`, `10.1.2.3`) read straight from
 * its char codes, without allocating: address × 64 + length (32 when there is
 * no slash), host bits as written; -1 when the text is not one. Route lookup,
 * topology and route formatting run this over millions of strings.
 * `canonicalOnly` also refuses leading zeros, which iproute2 never prints.
 */
export function ipv4PrefixCode(s: string, canonicalOnly = false): number {
  const len = s.length;
  if (len < 7 || len > 18) return -1;
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  let lead = 0;
  let i = 0;
  for (; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits === 0) lead = c;
      else if (canonicalOnly && lead === 48) return -1;
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else if (c === 47) {
      break;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  n = n * 256 + part;
  let length = 32;
  if (i < len) {
    // After the slash: one or two digits, at most 32.
    const rest = len - i - 1;
    if (rest < 1 || rest > 2) return -1;
    if (canonicalOnly && rest === 2 && s.charCodeAt(i + 1) === 48) return -1;
    length = 0;
    for (let k = i + 1; k < len; k++) {
      const c = s.charCodeAt(k);
      if (c < 48 || c > 57) return -1;
      length = length * 10 + (c - 48);
    }
    if (length > 32) return -1;
  }
  return n * 64 + length;
}

/** IPv4 dotted quad → unsigned 32-bit number; null when not a four-part IPv4 address. */
export function ipv4ToNumber(s: string): number | null {
  if (s.length > 15 || s.indexOf('/') >= 0) return null;
  const code = ipv4PrefixCode(s);
  return code < 0 ? null : (code - 32) / 64;
}

/** Unsigned 32-bit number → dotted quad. */
export function numberToIpv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function ipv6ToBigint(s: string): bigint | null {
  if (!ipaddr.IPv6.isValid(s)) return null;
  const bytes = ipaddr.IPv6.parse(s).toByteArray();
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** An address as a number (IPv4) or bigint (IPv6), or null. */
export function ipToValue(s: string): number | bigint | null {
  const v4 = ipv4ToNumber(s);
  if (v4 !== null) return v4;
  return ipv6ToBigint(stripZone(s));
}

function stripZone(s: string): string {
  const i = s.indexOf('%');
  return i >= 0 ? s.slice(0, i) : s;
}

/** Mask of the top `length` bits of a 32-bit number. */
export function ipv4Mask(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/** Canonical text of an address (`fd00:0::1` → `fd00::1`); the input when it is not one. */
export function canonicalIp(s: string): string {
  const z = stripZone(s);
  if (!z.includes(':')) {
    const n = ipv4ToNumber(z);
    return n === null ? s : numberToIpv4(n);
  }
  if (ipaddr.IPv6.isValid(z)) return ipaddr.IPv6.parse(z).toString();
  return s;
}

/**
 * Parses `10.0.0.0/24`, a bare address (a host prefix), or `default`
 * (`0.0.0.0/0`, or `::/0` when `family` is 6). Host bits are cleared, as the
 * kernel stores routes. Null when the text is not a prefix.
 */
export function parsePrefix(s: string, family: Family = 4): Prefix | null {
  const text = s.trim();
  if (text === 'default' || text === 'all') {
    return family === 4
      ? { family: 4, network: '0.0.0.0', length: 0, value: 0 }
      : { family: 6, network: '::', length: 0, value: 0n };
  }
  const slash = text.indexOf('/');
  const addr = slash >= 0 ? text.slice(0, slash) : text;
  const lenText = slash >= 0 ? text.slice(slash + 1) : undefined;
  if (lenText !== undefined && !/^\d{1,3}$/.test(lenText)) return null;
  const v4 = ipv4ToNumber(addr);
  if (v4 !== null) {
    const length = lenText === undefined ? 32 : Number(lenText);
    if (length > 32) return null;
    const value = (v4 & ipv4Mask(length)) >>> 0;
    return { family: 4, network: numberToIpv4(value), length, value };
  }
  const v6 = ipv6ToBigint(addr);
  if (v6 !== null) {
    const length = lenText === undefined ? 128 : Number(lenText);
    if (length > 128) return null;
    const mask = length === 0 ? 0n : ((1n << BigInt(length)) - 1n) << BigInt(128 - length);
    const value = v6 & mask;
    const bytes: number[] = [];
    for (let i = 15; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 255n));
    return { family: 6, network: ipaddr.fromByteArray(bytes).toString(), length, value };
  }
  return null;
}

/** `network/length` text of a prefix. */
export function formatPrefix(p: Prefix): string {
  return `${p.network}/${p.length}`;
}

/** True when `ip` lies inside `prefix`. */
export function prefixContains(prefix: Prefix, ip: string): boolean {
  const v = ipToValue(ip);
  if (v === null) return false;
  if (prefix.family === 4) {
    if (typeof v !== 'number') return false;
    return ((v & ipv4Mask(prefix.length)) >>> 0) === prefix.value;
  }
  if (typeof v !== 'bigint') return false;
  const mask = prefix.length === 0 ? 0n : ((1n << BigInt(prefix.length)) - 1n) << BigInt(128 - prefix.length);
  return (v & mask) === prefix.value;
}

/** True when the address `ip` lies in `ip2/len` (an interface's subnet). */
export function sameSubnet(ip: string, other: string, length: number): boolean {
  const p = parsePrefix(`${other}/${length}`);
  return p !== null && prefixContains(p, ip);
}
