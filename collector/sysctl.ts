/**
 * Sysctls the collector reads from /proc/sys inside each netns (DOMAIN §7):
 * forwarding and reverse-path filtering decide whether a hop forwards at all.
 */
import { readFileSync } from 'node:fs';

/** The files that exist, read directly, keyed as parseProcSysLines keys them (a missing file, such as bridge-nf-call-iptables without br_netfilter, is left out as grep leaves it out). */
export function readProcSysFiles(files: readonly string[]): Record<string, string> {
  const lines: string[] = [];
  for (const f of files) {
    try {
      lines.push(`${f}:${readFileSync(f, 'utf8').trim()}`);
    } catch {
      // Not there in this kernel or netns: not observed.
    }
  }
  return parseProcSysLines(lines.join('\n'));
}

/** Reads `grep -H '' FILE...` output (`/proc/sys/net/ipv4/ip_forward:1`) into sysctl keys. */
export function parseProcSysLines(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const m = /^\/proc\/sys\/(.+?):(.*)$/.exec(line);
    if (!m) continue;
    // Path segments become dots; an ifname's own dots (flannel.1) stay, as `sysctl -a` prints them with `/`.
    out[(m[1] ?? '').split('/').join('.')] = (m[2] ?? '').trim();
  }
  return out;
}

/** The sysctl files DOMAIN §7 asks for, given the netns's interface names. */
export function sysctlFiles(ifnames: readonly string[]): string[] {
  const files = [
    '/proc/sys/net/ipv4/ip_forward',
    '/proc/sys/net/ipv4/conf/all/rp_filter',
    '/proc/sys/net/ipv4/conf/default/rp_filter',
  ];
  for (const name of ifnames) {
    // An ifname cannot contain `/`, and we never hand these to a shell.
    if (name.includes('/') || name === '.' || name === '..') continue;
    files.push(`/proc/sys/net/ipv4/conf/${name}/rp_filter`);
  }
  files.push('/proc/sys/net/bridge/bridge-nf-call-iptables');
  return files;
}

