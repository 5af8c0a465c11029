/**
 * net-tools `route -n` (and `netstat -rn`, and `route -n -A inet6`) → routes
 * of the main table. The kernel's /proc/net/route view behind it knows no
 * tables, protocols or route types beyond "reject", so those stay unknown.
 */
import type { Route } from '../../snapshot/schema';
import type { ParseOutput } from '../types';
import { emptyOutput, ipOrNull, isIfName, numberLines, parseUint, prefixOrNull, skip, tokens } from './text';

/** Netmask `255.255.255.0` → 24; null when the mask is not contiguous. */
export function maskLength(mask: string): number | null {
  const parts = mask.split('.');
  if (parts.length !== 4) return null;
  let bits = 0;
  let seenZero = false;
  for (const p of parts) {
    const v = parseUint(p);
    if (v === null || v > 255) return null;
    for (let b = 7; b >= 0; b--) {
      const one = (v >> b) & 1;
      if (one && seenZero) return null;
      if (one) bits++;
      else seenZero = true;
    }
  }
  return bits;
}

/**
 * Parses `route -n` output. Header lines are skipped silently; other lines
 * that are not routes come back in `skipped`.
 */
export function parseRouteNText(lines: readonly string[], firstLine: number): ParseOutput<Route> {
  const out = emptyOutput<Route>();
  // `netstat -rn` prints MSS/Window/irtt where `route -n` prints Metric/Ref/Use.
  let hasMetric = true;
  for (const { line, text } of numberLines(lines, firstLine)) {
    const t = text.trim();
    if (/^Kernel IP(v6)? routing table/i.test(t)) continue;
    const toks = tokens(t);
    if (toks[0] === 'Destination') {
      hasMetric = !toks.includes('MSS');
      continue;
    }
    const dest = toks[0] ?? '';
    if (dest.includes(':')) {
      const r = readV6(toks);
      if (typeof r === 'string') out.skipped.push(skip(line, r, text));
      else out.items.push(r);
      continue;
    }
    if (toks.length < 5) {
      out.skipped.push(skip(line, 'not a route -n line: expected Destination Gateway Genmask Flags … Iface', text));
      continue;
    }
    const [dst, gw, mask, flags] = toks;
    const iface = toks[toks.length - 1] ?? '';
    const len = mask === undefined ? null : maskLength(mask);
    if (len === null) {
      out.skipped.push(skip(line, `unreadable netmask "${mask ?? ''}"`, text));
      continue;
    }
    const dstText = dst === 'default' ? '0.0.0.0' : (dst ?? '');
    const dstIp = ipOrNull(dstText);
    if (dstIp === null) {
      out.skipped.push(skip(line, `destination "${dst ?? ''}" is not an address (use route -n for numeric output)`, text));
      continue;
    }
    const prefix = prefixOrNull(`${dstIp}/${len}`, 4);
    if (prefix === null) {
      out.skipped.push(skip(line, `destination ${dstText}/${len} is not a valid prefix`, text));
      continue;
    }
    const f = flags ?? '';
    const route: Route = { family: 4, table: 'main', type: 'unicast', dst: prefix };
    if (f.includes('!')) {
      route.type = 'unreachable';
    } else if (iface === '*' || iface === '-') {
      // /proc/net/route lists a blackhole route as an up route with no device.
      route.type = 'blackhole';
      out.warnings.push({ line, message: `route ${prefix}: no interface; read as blackhole (route -n cannot tell blackhole from other device-less routes)` });
    } else {
      if (isIfName(iface)) route.dev = iface;
      if (f.includes('G')) {
        const gateway = ipOrNull(gw);
        if (gateway !== null && gateway !== '0.0.0.0') route.gateway = gateway;
        else out.warnings.push({ line, message: `route ${prefix}: flag G but unreadable gateway "${gw ?? ''}"` });
      }
      if (!f.includes('G')) route.scope = 'link';
    }
    if (hasMetric) {
      const metric = parseUint(toks[4]);
      if (metric !== null) route.metric = metric;
    }
    out.items.push(route);
  }
  return out;
}

/** `Destination Next Hop Flag Met Ref Use If` of `route -n -A inet6`. */
function readV6(toks: string[]): Route | string {
  if (toks.length < 7) return 'not a route -n -A inet6 line: expected Destination NextHop Flag Met Ref Use If';
  const [dst, nh, flags, met] = toks;
  const iface = toks[toks.length - 1] ?? '';
  const prefix = prefixOrNull(dst ?? '', 6);
  if (prefix === null) return `destination "${dst ?? ''}" is not an IPv6 prefix`;
  const route: Route = { family: 6, table: 'main', type: (flags ?? '').includes('!') ? 'unreachable' : 'unicast', dst: prefix };
  const gw = ipOrNull((nh ?? '').replace(/^\[|\]$/g, ''));
  if (route.type === 'unicast') {
    if (gw !== null && gw !== '::' && (flags ?? '').includes('G')) route.gateway = gw;
    if (isIfName(iface)) route.dev = iface;
  }
  const metric = parseUint(met);
  if (metric !== null) route.metric = metric;
  return route;
}
