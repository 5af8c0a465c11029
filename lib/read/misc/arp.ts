/**
 * net-tools `arp -an` (BSD style: `? (10.0.0.1) at aa:bb:… [ether] on eth0`)
 * and `arp -n` (table: `Address HWtype HWaddress Flags Mask Iface`) →
 * neighbour entries. ARP knows IPv4 only; `<incomplete>` is a neighbour the
 * kernel asked for and never heard from.
 */
import type { Neighbour } from '../../snapshot/schema';
import { ipFamily } from '../../net/ip';
import type { ParseOutput } from '../types';
import { isIfname, skipLine } from './lineText';

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** Flags `C` (complete) say nothing of freshness; `M`/`PERM` is a static entry. */
function entry(ip: string, hw: string | undefined, flags: string, dev: string): Neighbour {
  const n: Neighbour = { dst: ip, dev };
  if (hw !== undefined && MAC.test(hw)) n.lladdr = hw.toLowerCase();
  if (hw === undefined || /incomplete/i.test(hw)) n.state = ['INCOMPLETE'];
  else if (/\bPERM\b|M/.test(flags)) n.state = ['PERMANENT'];
  return n;
}

/** Parses `arp -a[n]` or `arp -n` output. Never throws. */
export function parseArp(lines: readonly string[], firstLine: number): ParseOutput<Neighbour> {
  const out: ParseOutput<Neighbour> = { items: [], warnings: [], skipped: [] };
  for (let i = 0; i < lines.length; i++) {
    const line = firstLine + i;
    const text = (lines[i] ?? '').replace(/\r/g, '').trimEnd();
    const t = text.trim();
    if (t === '' || /^Address\s+HWtype/.test(t) || /^Entries:/.test(t)) continue;
    const bsd = /^\S+\s+\(([\d.]+)\)\s+at\s+(\S+)(?:\s+\[\w+\])?((?:\s+\w+)*?)\s+on\s+(\S+)/.exec(t);
    if (bsd) {
      const [, ip, hw, flags, dev] = bsd;
      if (ipFamily(ip ?? '') !== 4 || !isIfname(dev ?? '')) {
        out.skipped.push(skipLine(line, text, 'not an arp entry: expected an IPv4 address and an interface'));
        continue;
      }
      out.items.push(entry(ip as string, hw === '<incomplete>' ? undefined : hw, flags ?? '', dev as string));
      continue;
    }
    const toks = t.split(/\s+/);
    const ip = toks[0] ?? '';
    const dev = toks[toks.length - 1] ?? '';
    if (ipFamily(ip) === 4 && isIfname(dev) && toks.length >= 3) {
      const incomplete = toks.some((x) => /incomplete/i.test(x));
      const hw = incomplete ? undefined : toks.find((x) => MAC.test(x));
      if (!incomplete && hw === undefined) {
        out.skipped.push(skipLine(line, text, 'arp entry without a hardware address'));
        continue;
      }
      const flagTok = hw !== undefined ? toks[toks.indexOf(hw) + 1] ?? '' : '';
      out.items.push(entry(ip, hw, flagTok === dev ? '' : flagTok, dev));
      continue;
    }
    out.skipped.push(skipLine(line, text, 'not an arp entry'));
  }
  return out;
}
