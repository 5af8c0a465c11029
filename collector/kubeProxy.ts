/**
 * kube-proxy's Service rules on the node (DOMAIN §6): one `iptables-save`
 * in the host netns, both tables at once (a process per table would cost a
 * second fork and a second netlink dump), read by the engine's own reader
 * (lib/read/misc/iptables.ts), which keeps only kube-proxy's KUBE-* chains
 * and the built-in chains' jumps into them.
 */
import { createHash } from 'node:crypto';
import { parseIptablesSave } from '../lib/read/misc/iptables';
import type { KubeProxyRules } from '../lib/snapshot/schema';
import type { ExecResult } from './exec';
import { execInCommand, type Command, type NetnsTarget } from './target';

/** The command, run in the node's host netns. */
export function kubeProxyCommand(target: NetnsTarget): Command {
  return execInCommand(target, 'iptables-save', []);
}

/**
 * A node without iptables-save (a minimal image, an nftables-only kube-proxy)
 * has no evidence to give: sh says 127, `ip netns exec` and nsenter name the
 * missing file.
 */
function missingBinary(r: ExecResult): boolean {
  return r.code === 127 || (/(No such file or directory|not found)/.test(r.stderr) && r.stdout.trim() === '');
}

/** The last reading, by target: kube-proxy rewrites its rules only when Services or endpoints change. */
const cache = new Map<string, { digest: string; rules: KubeProxyRules | undefined; notes: readonly string[] }>();

/**
 * The rules iptables-save printed, or undefined when there are none or they
 * could not be read (missing binary: silently; any other failure: a warning).
 */
export function readKubeProxy(cmd: Command, key: string, r: ExecResult, warnings: string[]): KubeProxyRules | undefined {
  if (r.code !== 0 && r.stdout.trim() === '') {
    cache.delete(key);
    if (!missingBinary(r)) warnings.push(`host: \`${[cmd.file, ...cmd.args].join(' ')}\` failed: ${r.stderr.trim() || `exit status ${r.code}`}`);
    return undefined;
  }
  // `# Generated … on DATE` and the built-in chains' packet counters (`:PREROUTING ACCEPT [12:720]`) change every
  // run; neither is read, so they do not count as a change.
  const digest = createHash('sha256').update(r.stdout.replace(/^[#:][^\n]*\n?/gm, '')).digest('base64');
  const hit = cache.get(key);
  if (hit !== undefined && hit.digest === digest) {
    warnings.push(...hit.notes);
    return hit.rules;
  }
  const out = parseIptablesSave(r.stdout.split('\n'), 1);
  const notes = out.warnings.map((w) => `host: iptables-save: ${w.message}`);
  // iptables-nft-save says so when kube-proxy wrote its rules with the legacy backend, which this binary cannot show.
  if (/iptables-legacy tables present/.test(r.stdout + r.stderr)) notes.push('host: iptables-save (nf_tables) reports iptables-legacy tables it does not show: kube-proxy may use the legacy backend');
  const rules = out.items[0];
  if (rules) {
    if (rules.nat) Object.freeze(rules.nat);
    if (rules.filter) Object.freeze(rules.filter);
    Object.freeze(rules);
  }
  cache.set(key, { digest, rules, notes });
  warnings.push(...notes);
  return rules;
}
