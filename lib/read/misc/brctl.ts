/**
 * `brctl show`: one row per bridge, ports continue on indented lines.
 *
 *     bridge name	bridge id		STP enabled	interfaces
 *     cni0		8000.a27184328003	no		veth1
 *     							veth2
 */
import type { ParseOutput } from '../types';
import { isIfname, skipLine } from './lineText';

/** One bridge as `brctl show` lists it. */
export interface BrctlBridge {
  name: string;
  /** `8000.a27184328003`: priority and MAC. */
  bridgeId?: string;
  stp?: boolean;
  /** Ports, in the order printed. */
  interfaces: string[];
}

const BRIDGE_ID = /^[0-9a-fA-F]{4}\.[0-9a-fA-F]{12}$/;

/** Parses `brctl show` output. Never throws. */
export function parseBrctlShow(lines: string[], firstLine: number): ParseOutput<BrctlBridge> {
  const out: ParseOutput<BrctlBridge> = { items: [], warnings: [], skipped: [] };
  let current: BrctlBridge | null = null;
  lines.forEach((raw, i) => {
    const lineNo = firstLine + i;
    const text = raw.replace(/\s+$/, '');
    if (text.trim() === '') return;
    if (/^\s*bridge name\s/i.test(text)) return;
    const words = text.trim().split(/\s+/);
    // A row: name, id, STP yes/no, and maybe the first port.
    if (words.length >= 3 && BRIDGE_ID.test(words[1] as string) && /^(yes|no)$/i.test(words[2] as string)) {
      if (!isIfname(words[0] as string)) {
        out.skipped.push(skipLine(lineNo, raw, 'not a bridge name'));
        return;
      }
      current = { name: words[0] as string, bridgeId: words[1] as string, stp: /^yes$/i.test(words[2] as string), interfaces: [] };
      for (const w of words.slice(3)) if (isIfname(w)) current.interfaces.push(w);
      out.items.push(current);
      return;
    }
    // Continuation: one port per line (indentation is often lost in pastes).
    if (words.length === 1 && current !== null && isIfname(words[0] as string)) {
      (current as BrctlBridge).interfaces.push(words[0] as string);
      return;
    }
    if (/can't get info|No such device/i.test(text)) {
      out.warnings.push({ line: lineNo, message: `brctl: ${text.trim().slice(0, 200)}` });
      return;
    }
    out.skipped.push(skipLine(lineNo, raw, 'not a brctl show row'));
  });
  return out;
}
