/**
 * A transcript capturer: runs the text commands a person debugging a node
 * would type and writes them out exactly as a pasted terminal session
 * (`root@node1:~# ip addr` followed by its output). The lab uses it so the
 * transcript reader is judged on real output, not on hand-written samples.
 */
import { execCommand, type Exec } from './exec';
import { bridgeCommand, execInCommand, ipCommand, type Command, type NetnsTarget } from './target';
import { kubeProxyCommand } from './kubeProxy';

/** Options of captureTranscript. */
export interface TranscriptOptions {
  nodeName: string;
  /** Named netns acting as the node's host netns; default: the current netns. */
  hostNetns?: string;
  /** Pod netns (names under /var/run/netns), visited with `ip netns exec`. */
  podNetns?: readonly string[];
  exec?: Exec;
  /** Prompt before each command; default `root@NODE:~# `. */
  prompt?: string;
}

/** One command as the person typed it, and what actually runs it here. */
interface TranscriptStep {
  typed: string;
  command: Command;
}

/** The commands of a node capture, in the order a person would run them. */
export function transcriptSteps(hostNetns: string | undefined, podNetns: readonly string[]): TranscriptStep[] {
  const host: NetnsTarget = hostNetns === undefined ? { kind: 'current' } : { kind: 'named', name: hostNetns };
  const steps: TranscriptStep[] = [
    { typed: 'ip addr', command: ipCommand(host, ['addr']) },
    { typed: 'ip -d link show', command: ipCommand(host, ['-d', 'link', 'show']) },
    { typed: 'ip route show table all', command: ipCommand(host, ['route', 'show', 'table', 'all']) },
    { typed: 'ip rule', command: ipCommand(host, ['rule']) },
    { typed: 'ip neigh', command: ipCommand(host, ['neigh']) },
    { typed: 'bridge fdb show', command: bridgeCommand(host, ['fdb', 'show']) },
    { typed: 'sysctl net.ipv4.ip_forward', command: execInCommand(host, 'sysctl', ['net.ipv4.ip_forward']) },
    // kube-proxy's Service rules; a node without them prints only the built-in chains (or no iptables-save at all).
    { typed: 'iptables-save', command: kubeProxyCommand(host) },
  ];
  for (const pod of podNetns) {
    // Netns names are global, so `ip -n POD` from anywhere is what `ip netns exec POD ip` shows on the node.
    const target: NetnsTarget = { kind: 'named', name: pod };
    steps.push({ typed: `ip netns exec ${pod} ip addr`, command: ipCommand(target, ['addr']) });
    steps.push({ typed: `ip netns exec ${pod} ip route`, command: ipCommand(target, ['route']) });
  }
  return steps;
}

/** Runs the capture and returns the transcript text (ending with a bare prompt, as a paste often does not). */
export async function captureTranscript(opts: TranscriptOptions): Promise<string> {
  const exec = opts.exec ?? execCommand;
  const prompt = opts.prompt ?? `root@${opts.nodeName}:~# `;
  const steps = transcriptSteps(opts.hostNetns, opts.podNetns ?? []);
  const outputs = await Promise.all(steps.map((s) => exec(s.command.file, s.command.args)));
  let text = '';
  steps.forEach((step, i) => {
    const r = outputs[i];
    text += `${prompt}${step.typed}\n`;
    if (!r) return;
    // A terminal interleaves both streams; a failed command shows its error where its output would be.
    const body = r.stdout + (r.code === 0 ? '' : r.stderr);
    text += body.endsWith('\n') || body === '' ? body : `${body}\n`;
  });
  return text;
}
