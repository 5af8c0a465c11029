/**
 * What the collector's plans (collect.ts one command per section, batch.ts
 * one `ip -batch` per netns) share: reading one JSON command's result into a
 * section with its warnings, and a netns's sysctls.
 */
import type { ParseOutput } from '../lib/read/types';
import type { Address } from '../lib/snapshot/schema';
import type { ExecResult } from './exec';
import { parseProcSysLines, readProcSysFiles, sysctlFiles } from './sysctl';
import { execInCommand, type Command, type NetnsTarget } from './target';

/** The result of a command the runner never got to. */
export const NOT_RUN: ExecResult = { stdout: '', stderr: 'not run', code: -1 };

/** A command as a person would type it, for warnings. */
export function shown(cmd: Command): string {
  return [cmd.file, ...cmd.args].join(' ');
}

/** `ip -j addr` lists links with their addresses; the snapshot keeps links and addresses apart. */
export function addressesOf(out: ParseOutput<{ addresses: Address[] }>): ParseOutput<Address> {
  return { items: out.items.flatMap((l) => l.addresses), warnings: out.warnings, skipped: out.skipped };
}

/** `ip -j` prints nothing at all for some empty tables on older iproute2; that is an empty list. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: [] };
  try {
    return { ok: true, value: JSON.parse(trimmed) as unknown };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Reads one JSON command's result; on failure the section stays `undefined`
 * (not observed) and a warning says why.
 */
export function readSection<T>(
  r: ExecResult,
  cmd: Command,
  context: string,
  read: (value: unknown) => ParseOutput<T>,
  warnings: string[],
): T[] | undefined {
  if (r.code !== 0) {
    warnings.push(`${context}: \`${shown(cmd)}\` failed: ${r.stderr.trim() || `exit status ${r.code}`}`);
    return undefined;
  }
  const json = parseJson(r.stdout);
  if (!json.ok) {
    warnings.push(`${context}: \`${shown(cmd)}\` printed invalid JSON: ${json.message}`);
    return undefined;
  }
  const out = read(json.value);
  for (const w of out.warnings) warnings.push(`${context}: ${shown(cmd)}: ${w.message}`);
  for (const s of out.skipped) warnings.push(`${context}: ${shown(cmd)}: skipped ${s.reason}`);
  return out.items;
}

/**
 * A netns's sysctls (ip_forward, rp_filter per interface…): a plan's second round, `finish` taking its
 * results. In the collector's own netns /proc/sys/net shows that netns, so the files are read here
 * without a process or a round; elsewhere one `grep -H` in the netns prints them all.
 */
export function sysctlStep(
  target: NetnsTarget,
  linkNames: readonly string[],
  ctx: string,
  warnings: string[],
): { second: Command[]; finish: (results: readonly ExecResult[]) => Record<string, string> } {
  const files = sysctlFiles(linkNames);
  if (target.kind === 'current') {
    const sysctls = readProcSysFiles(files);
    if (Object.keys(sysctls).length === 0) warnings.push(`${ctx}: none of ${files.length} /proc/sys files could be read`);
    return { second: [], finish: () => sysctls };
  }
  const cmd = execInCommand(target, 'grep', ['-H', '', ...files]);
  return {
    second: [cmd],
    finish([r = NOT_RUN]) {
      const sysctls = parseProcSysLines(r.stdout);
      // grep exits 2 when one file is missing (bridge-nf-call-iptables without br_netfilter) yet prints the rest.
      if (r.code !== 0 && Object.keys(sysctls).length === 0) warnings.push(`${ctx}: \`${shown(cmd)}\` failed: ${r.stderr.trim() || `exit status ${r.code}`}`);
      return sysctls;
    },
  };
}
