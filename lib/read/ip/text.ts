/**
 * Line handling shared by the iproute2 text parsers. Pasted evidence arrives
 * with CRLF endings, ANSI colours (`ip -c`), tabs, collapsed or lost
 * indentation and trailing spaces; every parser sees the same cleaned tokens.
 */
import type { ParseOutput, SkippedBlock } from '../types';
import ipaddr from 'ipaddr.js';
import { parsePrefix, formatPrefix, ipv4ToNumber, numberToIpv4, type Family } from '../../net/ip';

// `ip -c` wraps names and addresses in SGR sequences; a paste keeps them.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** A cleaned input line with its 1-based number in the user's file. */
export interface NumberedLine {
  line: number;
  text: string;
}

/** Strips CR, ANSI colours and trailing blanks; keeps leading blanks (they are a hint, never required). */
export function cleanLine(raw: string): string {
  // trimEnd, not /\s+$/: the regex is quadratic on a long run of blanks followed by text.
  return raw.replace(ANSI, '').replace(/\r/g, '').trimEnd();
}

/** Non-blank cleaned lines with their numbers. */
export function numberLines(lines: readonly string[], firstLine: number): NumberedLine[] {
  const out: NumberedLine[] = [];
  const start = Number.isFinite(firstLine) ? Math.trunc(firstLine) : 1;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (typeof raw !== 'string') continue;
    const text = cleanLine(raw);
    if (text.trim() === '') continue;
    out.push({ line: start + i, text });
  }
  return out;
}

/** Whitespace-separated tokens (tabs and runs of spaces are equivalent). */
export function tokens(text: string): string[] {
  const t = text.trim();
  return t === '' ? [] : t.split(/\s+/);
}

/** A skipped line as readers report it. */
export function skip(line: number, reason: string, text: string, endLine = line): SkippedBlock {
  return { startLine: line, endLine, reason, text: text.slice(0, 200) };
}

/** An empty result to fill. */
export function emptyOutput<T>(): ParseOutput<T> {
  return { items: [], warnings: [], skipped: [] };
}

/** A non-negative integer written in decimal, or null. */
export function parseUint(s: string | undefined): number | null {
  if (s === undefined || !/^\d{1,10}$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** A signed integer written in decimal, or null. */
export function parseInt32(s: string | undefined): number | null {
  if (s === undefined || !/^-?\d{1,10}$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2})+$/;

/** True for link-layer addresses as the schema accepts them (`aa:bb:…`). */
export function isMac(s: string | undefined): s is string {
  return s !== undefined && s.length <= 64 && MAC.test(s);
}

/** Lower-case MAC, so the same device matches across outputs. */
export function normalMac(s: string): string {
  return s.toLowerCase();
}

/** Interface names the kernel accepts (no `/`, `:` or blanks; ≤ 15 chars, allowing some slack for pastes). */
export function isIfName(s: string | undefined): s is string {
  return s !== undefined && s.length > 0 && s.length <= 64 && !/[\s/:]/.test(s);
}

/**
 * An IPv4 address label (`eth0:1`): the kernel requires it to start with the
 * device name; unlike device names it may contain `:`.
 */
export function isAliasLabel(label: string | undefined, ifname: string): label is string {
  return label !== undefined && label.length <= 256 && label !== ifname && label.startsWith(`${ifname}:`) && !/[\s/]/.test(label);
}

const DOTTED_QUAD = /^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/;

/**
 * An address (no zone, no prefix) in canonical text with its family, or null.
 * Checks IPv4 by hand first: ipaddr's IPv4 validator costs ~20 µs on an IPv6
 * string, which dominated reading a 20 000-link `ip addr`.
 */
function canonicalAddress(s: string): { ip: string; family: Family } | null {
  if (s.length === 0 || s.length > 64) return null;
  if (DOTTED_QUAD.test(s)) {
    const v4 = ipv4ToNumber(s);
    return v4 === null ? null : { ip: numberToIpv4(v4), family: 4 };
  }
  if (!s.includes(':') || !ipaddr.IPv6.isValid(s)) return null;
  return { ip: ipaddr.IPv6.parse(s).toString(), family: 6 };
}

function stripZone(s: string): string {
  const i = s.indexOf('%');
  return i >= 0 ? s.slice(0, i) : s;
}

/** An IP address in canonical text, or null. Accepts a `%zone` suffix by dropping it. */
export function ipOrNull(s: string | undefined): string | null {
  if (s === undefined) return null;
  return canonicalAddress(stripZone(s))?.ip ?? null;
}

/**
 * A prefix with length in canonical text: bare addresses become host
 * prefixes, `default` becomes `0.0.0.0/0` or `::/0`. Null when not a prefix.
 */
export function prefixOrNull(s: string, family: Family): string | null {
  const p = parsePrefix(s, family);
  return p === null ? null : formatPrefix(p);
}

/** The family written in an address or prefix text, or null for `default`/`all`/garbage. */
export function familyOfText(s: string | undefined): Family | null {
  if (s === undefined) return null;
  const slash = s.indexOf('/');
  return canonicalAddress(stripZone(slash >= 0 ? s.slice(0, slash) : s))?.family ?? null;
}

/**
 * Routing table names as iproute2 prints them; the kernel's reserved ids
 * come out as names so `254` and `main` do not look like two tables.
 */
export function normalTable(t: string): string {
  switch (t) {
    case '254':
      return 'main';
    case '255':
      return 'local';
    case '253':
      return 'default';
    default:
      return t;
  }
}
