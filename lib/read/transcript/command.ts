/**
 * Understands one command line: where it ran (host, a pod through
 * `kubectl exec`, a netns through `ip netns exec` / `ip -n` / `nsenter`, a
 * container, another node through `ssh`), which program's output follows it,
 * and whether a pipe may have removed lines from that output.
 */
import { basename, parseShellLine, pipeEffect, type PipeEffect } from './shell';

/** Where a command ran, relative to the transcript's node. */
export type ExecTarget =
  /** The node's own (host) network namespace. */
  | { kind: 'host' }
  /** A pod, through `kubectl exec`; `namespace` is `default` when the command did not say. */
  | { kind: 'pod'; namespace: string; pod: string; container?: string }
  /** A container through `docker exec` / `crictl exec` that is not recognisably a Kubernetes pod. */
  | { kind: 'container'; runtime: 'docker' | 'crictl'; id: string }
  /** A named netns (`ip netns exec NAME`, `ip -n NAME`, `nsenter --net=/var/run/netns/NAME`). */
  | { kind: 'netns'; name: string; via: string }
  /** The netns of a process (`nsenter -t PID -n`). */
  | { kind: 'nsenter'; pid: string }
  /** Another machine (`ssh HOST`). */
  | { kind: 'node'; host: string };

/** Which reader the output of a command goes to. */
export type CommandKind =
  /** `ip addr` / `ip link` in all spellings; `addresses` is false for `ip link`. */
  | { kind: 'ip-link'; addresses: boolean; json: boolean; oneline: boolean; brief: boolean; dev?: string; selective: boolean }
  | { kind: 'ip-route'; json: boolean; family?: 4 | 6; table?: string; dev?: string; selective: boolean }
  | { kind: 'ip-rule'; json: boolean; family?: 4 | 6 }
  | { kind: 'ip-neigh'; json: boolean; family?: 4 | 6; dev?: string; selective: boolean }
  | { kind: 'ip-netns-list'; json: boolean }
  | { kind: 'ip-netns-list-id'; json: boolean }
  | { kind: 'bridge-fdb'; json: boolean; dev?: string; selective: boolean }
  | { kind: 'bridge-link'; json: boolean; dev?: string }
  /** `route -n`, `netstat -rn`. */
  | { kind: 'route-n'; numeric: boolean }
  | { kind: 'brctl-show' }
  | {
      kind: 'kubectl-get';
      resource: 'pods' | 'nodes' | 'services' | 'endpoints';
      namespace?: string;
      allNamespaces: boolean;
      output: 'table' | 'wide' | 'json' | 'other';
    }
  | { kind: 'kubectl-describe-node' }
  /** `ps aux | grep kube-apiserver`, `cat /etc/kubernetes/manifests/kube-apiserver.yaml`: the Service ClusterIP range flag. */
  | { kind: 'apiserver-flags' }
  /** `iptables-save [-t TABLE]`, `iptables [-t TABLE] -S`: kube-proxy's Service rules. */
  | { kind: 'iptables-save'; table?: string }
  | { kind: 'ethtool-stats'; ifname: string }
  /** `cat /sys/class/net/IF/ATTR`. */
  | { kind: 'sysfs-read'; ifname: string; attr: string }
  /** `grep -l 220 /sys/class/net/veth*\/ifindex` (`list`) or `grep . /sys/class/net/*\/iflink` (`values`). */
  | { kind: 'sysfs-grep'; attr: string; mode: 'list' | 'values'; value?: number; exact: boolean }
  /** `ls [-l] /sys/class/net[/IF[/brif]]`. */
  | { kind: 'sysfs-list'; ifname?: string; brif: boolean }
  | { kind: 'sysctl'; keys: string[]; valuesOnly: boolean }
  /** `cat /proc/sys/net/ipv4/ip_forward`. */
  | { kind: 'proc-sys'; key: string }
  /** `cat /run/flannel/subnet.env`: the node's podCIDR and pod MTU as flannel wrote them. */
  | { kind: 'flannel-subnet-env' }
  /** net-tools `ifconfig` (both output formats). */
  | { kind: 'ifconfig' }
  /** net-tools `arp -an` / `arp -n`. */
  | { kind: 'arp' }
  /** `sudo -i`, `su -`, `bash`: a new shell on the same machine and in the same netns; nothing moves. */
  | { kind: 'shell' }
  | { kind: 'exit' }
  /** A program podnet knows but whose output it does not read (`ping`, `ip route get`). */
  | { kind: 'unsupported'; reason: string };

/** Everything podnet learns from one command line. */
export interface AnalysedCommand {
  text: string;
  /** Set when a wrapper (`kubectl exec`, `ip netns exec`…) moved the command elsewhere. */
  target?: ExecTarget;
  /** The command after unwrapping (`kubectl exec POD -- ip a` → [ip, a]). */
  argv: string[];
  /** Opens an interactive shell in `target` (`kubectl exec -it POD -- sh`): later commands run there. */
  opensSession: boolean;
  kind: CommandKind | null;
  pipe: PipeEffect;
  compound: boolean;
  stdoutRedirected: boolean;
  /** Things worth telling the user (an ambiguous wrapper, an unusual flag). */
  notes: string[];
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'zsh', 'dash', 'ksh', 'busybox']);

/** Programs whose name at the start of an un-prompted line marks it as a command. */
export const KNOWN_PROGRAMS = new Set([
  'ip', 'bridge', 'brctl', 'route', 'netstat', 'kubectl', 'k', 'oc', 'kubecolor', 'ethtool', 'cat', 'ls', 'grep',
  'egrep', 'sysctl', 'nsenter', 'docker', 'crictl', 'sudo', 'exit', 'logout', 'ping', 'traceroute', 'tracepath',
  'iptables', 'iptables-save', 'ipvsadm', 'tcpdump', 'arp', 'ifconfig', 'ss', 'conntrack', 'calicoctl', 'ssh',
  'curl', 'nc', 'microk8s', 'k3s', 'readlink', 'head', 'su', 'mtr', 'watch', 'ip6tables', 'nerdctl', 'cilium', 'cilium-dbg', 'hubble',
  'chroot', 'wg',
]);

/** Analyses one command line. Never throws. */
export function analyseCommand(text: string): AnalysedCommand {
  const shell = parseShellLine(text);
  const first = shell.stages[0] ?? [];
  const notes: string[] = [];
  const unwrapped = unwrap(first, notes, 0);
  const argv = unwrapped.argv;
  const kind = argv.length > 0 ? classify(argv) : null;
  const out: AnalysedCommand = {
    text,
    argv,
    opensSession: unwrapped.opensSession,
    kind,
    pipe: pipeEffect(shell.stages),
    compound: shell.compound,
    stdoutRedirected: shell.stdoutRedirected,
    notes,
  };
  if (unwrapped.target) out.target = unwrapped.target;
  return out;
}

interface Unwrapped {
  target?: ExecTarget;
  argv: string[];
  opensSession: boolean;
}

function isShellCommand(argv: string[]): boolean {
  const prog = basename(argv[0] ?? '');
  if (!SHELLS.has(prog)) return false;
  if (prog === 'busybox') return argv.length === 2 && SHELLS.has(argv[1] ?? '');
  // `sh -l`, `bash --login`, `bash -i` are still interactive; `-c` is not.
  return argv.slice(1).every((a) => a.startsWith('-') && a !== '-c');
}

function unwrap(argv: string[], notes: string[], depth: number): Unwrapped {
  if (depth > 8 || argv.length === 0) return { argv, opensSession: false };
  const prog = basename(argv[0] as string);
  const rest = argv.slice(1);
  const inner = (target: ExecTarget | undefined, cmd: string[]): Unwrapped => {
    if (cmd.length === 0 || isShellCommand(cmd)) {
      const u: Unwrapped = { argv: [], opensSession: true };
      if (target) u.target = target;
      return u;
    }
    const deeper = unwrap(cmd, notes, depth + 1);
    // The innermost wrapper names the place the command really ran.
    const t = deeper.target ?? target;
    const u: Unwrapped = { argv: deeper.argv, opensSession: deeper.opensSession };
    if (t) u.target = t;
    return u;
  };

  switch (prog) {
    case 'sudo': {
      let i = 0;
      while (i < rest.length && (rest[i] as string).startsWith('-')) {
        const f = rest[i] as string;
        i += ['-u', '-g', '-C', '-h', '-p', '-U'].includes(f) ? 2 : 1;
      }
      // `sudo -i`, `sudo su -` open a root shell on the same machine: nothing moves.
      if (i >= rest.length) return { argv: ['sudo', ...rest], opensSession: false };
      return unwrap(rest.slice(i), notes, depth + 1);
    }
    case 'time':
    case 'env':
    case 'command':
      return unwrap(rest, notes, depth + 1);
    case 'timeout':
      return unwrap(rest.slice(1).filter((a, j) => j > 0 || !a.startsWith('-')), notes, depth + 1);
    case 'chroot':
      // `chroot /host ip a` from a debug pod runs in the host netns of the pod's node.
      if (rest.length <= 1) return { argv, opensSession: false };
      return unwrap(rest.slice(1), notes, depth + 1);
    case 'sh':
    case 'bash':
    case 'ash':
    case 'dash':
    case 'zsh': {
      const c = rest.indexOf('-c');
      if (c >= 0 && rest[c + 1] !== undefined) {
        const sub = parseShellLine(rest[c + 1] as string);
        if (sub.compound || sub.stages.length > 1) notes.push('a shell -c string with pipes or several commands');
        return unwrap(sub.stages[0] ?? [], notes, depth + 1);
      }
      return { argv, opensSession: false };
    }
    case 'kubectl':
    case 'k':
    case 'oc':
    case 'kubecolor':
      return unwrapKubectl(argv, notes, inner);
    case 'microk8s':
    case 'k3s':
      if (rest[0] === 'kubectl') return unwrapKubectl(rest, notes, inner);
      return { argv, opensSession: false };
    case 'ip': {
      const ns = ipNetnsOf(rest);
      if (ns) return inner({ kind: 'netns', name: ns.name, via: ns.via }, ns.command);
      return { argv, opensSession: false };
    }
    case 'nsenter':
      return unwrapNsenter(rest, notes, inner);
    case 'docker':
    case 'crictl':
    case 'nerdctl':
    case 'podman':
      return unwrapContainerExec(prog, rest, notes, inner) ?? { argv, opensSession: false };
    case 'ssh':
      return unwrapSsh(rest, inner) ?? { argv, opensSession: false };
    default:
      return { argv, opensSession: false };
  }
}

const KUBECTL_VALUE_FLAGS = new Set([
  '-n', '--namespace', '-c', '--container', '--context', '--kubeconfig', '--cluster', '--user', '-s', '--server',
  '--token', '--as', '--as-group', '-f', '--filename', '--pod-running-timeout', '--request-timeout', '-l',
  '--selector', '-o', '--output', '--field-selector', '--sort-by', '--template', '-L', '--label-columns',
  '--chunk-size', '--cache-dir', '--certificate-authority', '--client-certificate', '--client-key', '-v', '--v',
  '--image', '--target', '--profile', '--copy-to', '--image-pull-policy', '--env',
]);

interface KubectlArgs {
  verb?: string;
  positionals: string[];
  flags: Map<string, string | true>;
  /** Words after `--`. */
  afterDash: string[] | null;
}

/**
 * Splits kubectl arguments: flags (anywhere before `--`), the verb, and
 * positionals. `-n dev`, `-ndev`, `--namespace=dev` all mean the same.
 */
function parseKubectlArgs(args: string[], stopAtSecondPositional: boolean): KubectlArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  let verb: string | undefined;
  let afterDash: string[] | null = null;
  let i = 0;
  while (i < args.length) {
    const a = args[i] as string;
    if (a === '--') {
      afterDash = args.slice(i + 1);
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.set(a.slice(0, eq), a.slice(eq + 1));
      else if (KUBECTL_VALUE_FLAGS.has(a) && i + 1 < args.length) {
        flags.set(a, args[i + 1] as string);
        i++;
      } else flags.set(a, true);
      i++;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      const short = a.slice(0, 2);
      if (KUBECTL_VALUE_FLAGS.has(short)) {
        if (a.length > 2) flags.set(short, a.slice(2).replace(/^=/, ''));
        else if (i + 1 < args.length) {
          flags.set(short, args[i + 1] as string);
          i++;
        }
      } else {
        for (const ch of a.slice(1)) flags.set(`-${ch}`, true);
      }
      i++;
      continue;
    }
    if (verb === undefined) verb = a;
    else {
      positionals.push(a);
      // Old `kubectl exec POD CMD` form: everything after the pod is the command.
      if (stopAtSecondPositional && verb === 'exec') {
        // kubectl's own flags may still follow the pod (`POD -c app -- sh`).
        let j = i + 1;
        while (j < args.length && args[j] !== '--' && /^-(c|n|i|t|it|ti|q|-container|-namespace|-stdin|-tty|-quiet)(=.*)?$/.test(args[j] as string)) {
          const f = args[j] as string;
          if ((f === '-c' || f === '-n' || f === '--container' || f === '--namespace') && j + 1 < args.length) {
            flags.set(f, args[j + 1] as string);
            j += 2;
          } else {
            flags.set(f, true);
            j++;
          }
        }
        if (args[j] === '--') j++;
        afterDash = args.slice(j);
        break;
      }
    }
    i++;
  }
  return { verb, positionals, flags, afterDash };
}

function flagValue(flags: Map<string, string | true>, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = flags.get(n);
    if (typeof v === 'string') return v;
  }
  return undefined;
}

function unwrapKubectl(
  argv: string[],
  notes: string[],
  inner: (t: ExecTarget | undefined, cmd: string[]) => Unwrapped,
): Unwrapped {
  const args = parseKubectlArgs(argv.slice(1), true);
  if (args.verb === 'debug') return unwrapKubectlDebug(argv, args, inner);
  if (args.verb !== 'exec') return { argv, opensSession: false };
  const podArg = args.positionals[0];
  if (podArg === undefined) return { argv, opensSession: false };
  const namespace = flagValue(args.flags, '-n', '--namespace') ?? 'default';
  const container = flagValue(args.flags, '-c', '--container');
  let pod = podArg;
  const slash = podArg.indexOf('/');
  if (slash >= 0) {
    const type = podArg.slice(0, slash);
    pod = podArg.slice(slash + 1);
    if (!['pod', 'pods', 'po'].includes(type)) {
      notes.push(`kubectl exec ${podArg} picks one pod of the ${type}; the pod's name is not in the transcript`);
      return inner({ kind: 'container', runtime: 'docker', id: `${type}-${pod}` }, args.afterDash ?? []);
    }
  }
  const target: ExecTarget = { kind: 'pod', namespace, pod };
  if (container !== undefined) target.container = container;
  return inner(target, args.afterDash ?? []);
}

/**
 * `kubectl debug node/NAME -it --image=…`: the debug pod runs with hostNetwork on NAME, so its
 * shell (and `chroot /host` inside it) sees that node's host netns, as an `ssh NAME` would.
 * `kubectl debug POD --image=… [--target=C]` adds an ephemeral container to POD, which shares the
 * pod's netns. `--copy-to` debugs a copy with a netns of its own: not the pod's evidence.
 */
function unwrapKubectlDebug(argv: string[], args: KubectlArgs, inner: (t: ExecTarget | undefined, cmd: string[]) => Unwrapped): Unwrapped {
  const what = args.positionals[0];
  if (what === undefined || args.flags.has('--copy-to')) return { argv, opensSession: false };
  const node = /^(?:node|nodes|no)\/([\w.-]+)$/.exec(what);
  if (node) return inner({ kind: 'node', host: node[1] as string }, args.afterDash ?? []);
  const pod = /^(?:(?:pod|pods|po)\/)?([\w.-]+)$/.exec(what);
  if (!pod) return { argv, opensSession: false };
  return inner({ kind: 'pod', namespace: flagValue(args.flags, '-n', '--namespace') ?? 'default', pod: pod[1] as string }, args.afterDash ?? []);
}

/** `ip netns exec NS CMD…` and `ip [opts] -n NS OBJECT…`. */
function ipNetnsOf(args: string[]): { name: string; via: string; command: string[] } | null {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-n' || a === '-netns' || a === '--netns') {
      const name = args[i + 1];
      if (name === undefined) return null;
      return { name, via: 'ip -n', command: ['ip', ...args.slice(0, i), ...args.slice(i + 2)] };
    }
    if (!a.startsWith('-')) {
      if (matchesObject(a) === 'netns' && args[i + 1] === 'exec' && args[i + 2] !== undefined) {
        return { name: args[i + 2] as string, via: 'ip netns exec', command: args.slice(i + 3) };
      }
      return null;
    }
  }
  return null;
}

function unwrapNsenter(
  args: string[],
  notes: string[],
  inner: (t: ExecTarget | undefined, cmd: string[]) => Unwrapped,
): Unwrapped {
  let pid: string | undefined;
  let netPath: string | undefined;
  let net = false;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-')) break;
    if (a === '-t' || a === '--target') {
      pid = args[i + 1];
      i++;
    } else if (a.startsWith('--target=')) pid = a.slice(9);
    else if (/^-t\d+$/.test(a)) pid = a.slice(2);
    else if (a === '-n' || a === '--net') net = true;
    else if (a.startsWith('--net=') || (a.startsWith('-n') && a.length > 2 && !/^-n[a-z]/.test(a))) {
      net = true;
      netPath = a.startsWith('--net=') ? a.slice(6) : a.slice(2).replace(/^=/, '');
    } else if (/^-[a-zA-Z]+$/.test(a) && !a.startsWith('--')) {
      if (a.includes('n')) net = true;
      if (a.endsWith('t') && args[i + 1] !== undefined) {
        pid = args[i + 1];
        i++;
      }
    } else if (a === '-a' || a === '--all') net = true;
  }
  const cmd = args.slice(i);
  if (!net) {
    notes.push('nsenter without -n/--net stays in the current network namespace');
    return inner(undefined, cmd);
  }
  if (netPath !== undefined) {
    const m = /^\/(?:var\/)?run\/(?:netns|docker\/netns)\/([^/]+)$/.exec(netPath);
    if (m) return inner({ kind: 'netns', name: m[1] as string, via: 'nsenter --net' }, cmd);
    const p = /^\/proc\/(\d+)\/ns\/net$/.exec(netPath);
    if (p) return inner({ kind: 'nsenter', pid: p[1] as string }, cmd);
    return inner({ kind: 'netns', name: basename(netPath), via: 'nsenter --net' }, cmd);
  }
  if (pid === undefined) {
    notes.push('nsenter -n without a target process');
    return inner({ kind: 'nsenter', pid: 'unknown' }, cmd);
  }
  return inner({ kind: 'nsenter', pid }, cmd);
}

/**
 * `docker exec [-it] [-u U] C CMD`. Dockershim names pod containers
 * `k8s_<container>_<pod>_<namespace>_<uid>_<n>`, which names the pod.
 */
function unwrapContainerExec(
  prog: string,
  args: string[],
  notes: string[],
  inner: (t: ExecTarget | undefined, cmd: string[]) => Unwrapped,
): Unwrapped | null {
  if (args[0] !== 'exec') return null;
  let i = 1;
  const valueFlags = new Set(['-u', '--user', '-e', '--env', '-w', '--workdir', '--env-file', '--detach-keys']);
  while (i < args.length && (args[i] as string).startsWith('-')) {
    i += valueFlags.has(args[i] as string) ? 2 : 1;
  }
  const id = args[i];
  if (id === undefined) return null;
  const m = /^k8s_[^_]+_([^_]+)_([^_]+)_[^_]+_\d+$/.exec(id);
  if (m) return inner({ kind: 'pod', namespace: m[2] as string, pod: m[1] as string }, args.slice(i + 1));
  void notes;
  const runtime: 'docker' | 'crictl' = prog === 'crictl' ? 'crictl' : 'docker';
  return inner({ kind: 'container', runtime, id }, args.slice(i + 1));
}

function unwrapSsh(args: string[], inner: (t: ExecTarget | undefined, cmd: string[]) => Unwrapped): Unwrapped | null {
  let i = 0;
  const valueFlags = new Set(['-p', '-i', '-l', '-o', '-F', '-J', '-L', '-R', '-D', '-b', '-c', '-E', '-m', '-S', '-W', '-w']);
  let user: string | undefined;
  while (i < args.length && (args[i] as string).startsWith('-')) {
    if (args[i] === '-l') user = args[i + 1];
    i += valueFlags.has(args[i] as string) ? 2 : 1;
  }
  const dest = args[i];
  if (dest === undefined) return null;
  void user;
  const at = dest.lastIndexOf('@');
  const host = (at >= 0 ? dest.slice(at + 1) : dest).replace(/^ssh:\/\//, '').replace(/:\d+$/, '');
  if (!/^[\w.-]+$/.test(host)) return null;
  return inner({ kind: 'node', host }, args.slice(i + 1));
}

// iproute2 resolves an abbreviated object name to the first object in this order that it prefixes.
const IP_OBJECTS = [
  'address', 'addrlabel', 'maddress', 'route', 'rule', 'neighbor', 'neighbour', 'ntable', 'ntbl', 'link', 'l2tp',
  'fou', 'ila', 'macsec', 'tunnel', 'tunl', 'tuntap', 'tap', 'token', 'tcpmetrics', 'tcp_metrics', 'monitor', 'xfrm',
  'mroute', 'mrule', 'netns', 'netconf', 'vrf', 'sr', 'nexthop', 'mptcp', 'ioam', 'stats',
];

function matchesObject(word: string): string | undefined {
  return IP_OBJECTS.find((o) => o.startsWith(word));
}

/** True when `word` is a prefix of `full` (iproute2's `matches()`). */
function isAbbrev(word: string | undefined, full: string): boolean {
  return word !== undefined && word.length > 0 && full.startsWith(word);
}

interface IpOptions {
  json: boolean;
  details: boolean;
  oneline: boolean;
  brief: boolean;
  family?: 4 | 6;
  resolve: boolean;
}

function parseIpOptions(args: string[]): { opts: IpOptions; rest: string[] } | null {
  const opts: IpOptions = { json: false, details: false, oneline: false, brief: false, resolve: false };
  let i = 0;
  for (; i < args.length; i++) {
    let a = args[i] as string;
    if (!a.startsWith('-')) break;
    if (a.startsWith('--')) a = a.slice(1);
    const o = a.slice(1);
    if (o === '4') opts.family = 4;
    else if (o === '6') opts.family = 6;
    else if (o === '0') continue;
    else if (o === 'br' || isAbbrev(o, 'brief') && o.length >= 2) opts.brief = true;
    else if (isAbbrev(o, 'json')) opts.json = true;
    else if (isAbbrev(o, 'pretty')) continue;
    else if (isAbbrev(o, 'details')) opts.details = true;
    else if (isAbbrev(o, 'oneline')) opts.oneline = true;
    else if (isAbbrev(o, 'stats') || isAbbrev(o, 'statistics') || o === 'ss' || o === 'sss') continue;
    else if (isAbbrev(o, 'color') || a.startsWith('-color=') || a.startsWith('-c=')) continue;
    else if (isAbbrev(o, 'human') || isAbbrev(o, 'iec') || isAbbrev(o, 'timestamp') || isAbbrev(o, 'tshort')) continue;
    else if (isAbbrev(o, 'Numeric') || isAbbrev(o, 'all')) continue;
    else if (isAbbrev(o, 'resolve')) opts.resolve = true;
    else if (isAbbrev(o, 'family') || o === 'f') {
      const f = args[i + 1];
      if (f === 'inet') opts.family = 4;
      else if (f === 'inet6') opts.family = 6;
      i++;
    } else if (isAbbrev(o, 'batch') || isAbbrev(o, 'rcvbuf')) i++;
    else {
      // Combined short flags: `-dj`, `-4o`.
      if (/^[46djospc]+$/.test(o)) {
        for (const ch of o) {
          if (ch === '4') opts.family = 4;
          if (ch === '6') opts.family = 6;
          if (ch === 'd') opts.details = true;
          if (ch === 'j') opts.json = true;
          if (ch === 'o') opts.oneline = true;
        }
        continue;
      }
      return null;
    }
  }
  return { opts, rest: args.slice(i) };
}

const SHOW_WORDS = ['show', 'list', 'lst'];

function isShow(word: string | undefined): boolean {
  return word === undefined || SHOW_WORDS.some((w) => isAbbrev(word, w));
}

/** Reads `ip addr show [dev] X [other selectors]`-style arguments. */
function readSelectors(args: string[], keywords: string[]): { dev?: string; table?: string; selective: boolean } {
  let dev: string | undefined;
  let table: string | undefined;
  let selective = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === 'dev') {
      dev = args[i + 1];
      i++;
    } else if (a === 'table' || a === 'tab') {
      table = args[i + 1];
      i++;
    } else if (keywords.includes(a)) {
      selective = true;
      i++;
    } else if (a === 'up' || a === 'permanent' || a === 'dynamic' || a === 'primary' || a === 'secondary') {
      selective = true;
    } else if (dev === undefined && keywords.includes('__devword') && !/^\d/.test(a) && a !== 'all') {
      // `ip addr show eth0`: the `dev` keyword is optional.
      dev = a;
    } else {
      selective = true;
    }
  }
  const out: { dev?: string; table?: string; selective: boolean } = { selective: selective || dev !== undefined };
  if (dev !== undefined) out.dev = dev;
  if (table !== undefined) out.table = table;
  return out;
}

function classifyIp(args: string[]): CommandKind {
  const parsed = parseIpOptions(args);
  if (!parsed) return { kind: 'unsupported', reason: 'unrecognised ip option' };
  const { opts, rest } = parsed;
  const object = matchesObject(rest[0] ?? '');
  const sub = rest[1];
  const selectorArgs = rest.slice(isShow(sub) && sub !== undefined ? 2 : 1);
  if (rest.length === 0 || object === undefined) return { kind: 'unsupported', reason: 'not an ip object podnet reads' };
  if (opts.resolve) return { kind: 'unsupported', reason: '`ip -r` prints host names instead of addresses' };
  switch (object) {
    case 'address':
    case 'link': {
      if (!isShow(sub)) return { kind: 'unsupported', reason: `\`ip ${object} ${sub}\` changes state or prints no devices` };
      const sel = readSelectors(selectorArgs, ['__devword', 'scope', 'to', 'label', 'master', 'type', 'vrf', 'group', 'nomaster']);
      const k: CommandKind = {
        kind: 'ip-link',
        addresses: object === 'address',
        json: opts.json,
        oneline: opts.oneline,
        brief: opts.brief,
        selective: sel.selective || opts.family !== undefined,
      };
      if (sel.dev !== undefined) k.dev = sel.dev;
      return k;
    }
    case 'route': {
      if (!isShow(sub)) {
        return { kind: 'unsupported', reason: isAbbrev(sub, 'get') ? '`ip route get` shows one lookup, not the table' : `\`ip route ${sub}\` changes state` };
      }
      const sel = readSelectors(selectorArgs, ['proto', 'scope', 'type', 'via', 'src', 'realm', 'realms', 'metric', 'vrf', 'from', 'match', 'root', 'exact', 'cache', 'tos', 'dsfield']);
      const k: CommandKind = { kind: 'ip-route', json: opts.json, selective: sel.selective };
      if (opts.family !== undefined) k.family = opts.family;
      if (sel.table !== undefined) k.table = sel.table;
      if (sel.dev !== undefined) k.dev = sel.dev;
      return k;
    }
    case 'rule': {
      if (!isShow(sub)) return { kind: 'unsupported', reason: `\`ip rule ${sub}\` changes state` };
      const k: CommandKind = { kind: 'ip-rule', json: opts.json };
      if (opts.family !== undefined) k.family = opts.family;
      return k;
    }
    case 'neighbor':
    case 'neighbour': {
      if (!isShow(sub)) return { kind: 'unsupported', reason: `\`ip neigh ${sub}\` changes state` };
      const sel = readSelectors(selectorArgs, ['nud', 'proxy', 'to', 'vrf', 'router']);
      const k: CommandKind = { kind: 'ip-neigh', json: opts.json, selective: sel.selective };
      if (opts.family !== undefined) k.family = opts.family;
      if (sel.dev !== undefined) k.dev = sel.dev;
      return k;
    }
    case 'netns': {
      if (sub === undefined || isAbbrev(sub, 'list') || isAbbrev(sub, 'show') || sub === 'lst') {
        return { kind: 'ip-netns-list', json: opts.json };
      }
      if (sub === 'list-id') return { kind: 'ip-netns-list-id', json: opts.json };
      return { kind: 'unsupported', reason: `\`ip netns ${sub}\` is not read` };
    }
    default:
      return { kind: 'unsupported', reason: `\`ip ${object}\` is not read` };
  }
}

function classifyBridge(args: string[]): CommandKind {
  let json = false;
  let i = 0;
  for (; i < args.length && (args[i] as string).startsWith('-'); i++) {
    const o = (args[i] as string).replace(/^--?/, '');
    if (isAbbrev(o, 'json')) json = true;
    else if (o === 'c' || isAbbrev(o, 'compressvlans') || isAbbrev(o, 'details') || isAbbrev(o, 'stats') || isAbbrev(o, 'pretty') || isAbbrev(o, 'color')) continue;
    else return { kind: 'unsupported', reason: 'unrecognised bridge option' };
  }
  const object = args[i];
  const sub = args[i + 1];
  const selectorArgs = args.slice(isShow(sub) && sub !== undefined ? i + 2 : i + 1);
  if (isAbbrev(object, 'fdb')) {
    if (!isShow(sub)) return { kind: 'unsupported', reason: `\`bridge fdb ${sub}\` changes state` };
    const sel = readSelectors(selectorArgs, ['br', 'brport', 'vlan', 'state', 'dynamic']);
    const k: CommandKind = { kind: 'bridge-fdb', json, selective: sel.selective };
    if (sel.dev !== undefined) k.dev = sel.dev;
    return k;
  }
  if (isAbbrev(object, 'link')) {
    if (!isShow(sub)) return { kind: 'unsupported', reason: `\`bridge link ${sub}\` changes state` };
    const sel = readSelectors(selectorArgs, []);
    const k: CommandKind = { kind: 'bridge-link', json };
    if (sel.dev !== undefined) k.dev = sel.dev;
    return k;
  }
  return { kind: 'unsupported', reason: `\`bridge ${object ?? ''}\` is not read` };
}

function classifyKubectl(argv: string[]): CommandKind {
  const a = parseKubectlArgs(argv.slice(1), false);
  const namespace = flagValue(a.flags, '-n', '--namespace');
  const allNamespaces = a.flags.has('-A') || a.flags.has('--all-namespaces');
  const outputRaw = flagValue(a.flags, '-o', '--output');
  if (a.verb === 'get') {
    const resources = (a.positionals[0] ?? '').split(',');
    const r = resources[0]?.split('/')[0] ?? '';
    if (resources.length > 1) return { kind: 'unsupported', reason: 'several resource types in one kubectl get' };
    const resource = ['pods', 'pod', 'po'].includes(r)
      ? 'pods'
      : ['nodes', 'node', 'no'].includes(r)
        ? 'nodes'
        : ['services', 'service', 'svc'].includes(r)
          ? 'services'
          : ['endpoints', 'endpoint', 'ep'].includes(r)
            ? 'endpoints'
            : null;
    if (resource === null) return { kind: 'unsupported', reason: `kubectl get ${r} is not read` };
    if (a.flags.has('-w') || a.flags.has('--watch')) return { kind: 'unsupported', reason: 'kubectl get --watch output is a stream of changes' };
    const output = outputRaw === undefined ? 'table' : outputRaw === 'wide' ? 'wide' : outputRaw === 'json' ? 'json' : 'other';
    const k: CommandKind = { kind: 'kubectl-get', resource, allNamespaces, output };
    if (namespace !== undefined) k.namespace = namespace;
    return k;
  }
  if (a.verb === 'describe') {
    const r = (a.positionals[0] ?? '').split('/')[0] ?? '';
    if (['nodes', 'node', 'no'].includes(r)) return { kind: 'kubectl-describe-node' };
    return { kind: 'unsupported', reason: `kubectl describe ${r} is not read` };
  }
  return { kind: 'unsupported', reason: `kubectl ${a.verb ?? ''} is not read` };
}

const SYSFS_NET = /^\/sys\/class\/net\/([^/\s]+)\/([\w]+)$/;

function classifyCat(args: string[]): CommandKind {
  const files = args.filter((x) => !x.startsWith('-'));
  if (files.length !== 1) return { kind: 'unsupported', reason: 'cat of several files: their values cannot be told apart' };
  const f = (files[0] as string).replace(/\/+$/, '');
  const m = SYSFS_NET.exec(f);
  if (m) {
    if ((m[1] as string).includes('*')) return { kind: 'unsupported', reason: 'cat of a wildcard: the values cannot be told apart' };
    return { kind: 'sysfs-read', ifname: m[1] as string, attr: m[2] as string };
  }
  if (/^(\/var)?\/run\/flannel\/subnet\.env$/.test(f)) return { kind: 'flannel-subnet-env' };
  if (/kube-apiserver\.ya?ml$/.test(f)) return { kind: 'apiserver-flags' };
  const p = /^\/proc\/sys\/(net\/[\w./-]+)$/.exec(f);
  if (p && !f.includes('*')) return { kind: 'proc-sys', key: (p[1] as string).replace(/\//g, '.') };
  return { kind: 'unsupported', reason: `cat ${f} is not read` };
}

function classifyGrep(args: string[]): CommandKind {
  const flags = args.filter((x) => x.startsWith('-') && x.length > 1);
  const words = args.filter((x) => !x.startsWith('-') || x.length === 1);
  const list = flags.some((f) => !f.startsWith('--') && f.includes('l')) || flags.includes('--files-with-matches');
  const exactFlag = flags.some((f) => !f.startsWith('--') && /[xw]/.test(f)) || flags.includes('--line-regexp') || flags.includes('--word-regexp');
  const eIndex = args.indexOf('-e');
  const pattern = eIndex >= 0 ? args[eIndex + 1] : words[0];
  const files = eIndex >= 0 ? words.filter((w) => w !== pattern) : words.slice(1);
  if (pattern === undefined || files.length === 0) return { kind: 'unsupported', reason: 'grep of standard input' };
  if (files.length === 1 && /kube-apiserver\.ya?ml$/.test(files[0] as string)) return { kind: 'apiserver-flags' };
  const attrs = new Set<string>();
  for (const f of files) {
    const m = SYSFS_NET.exec(f);
    if (!m) return { kind: 'unsupported', reason: 'grep outside /sys/class/net is not read' };
    attrs.add(m[2] as string);
  }
  if (attrs.size !== 1) return { kind: 'unsupported', reason: 'grep over several sysfs attributes' };
  const attr = [...attrs][0] as string;
  if (list) {
    const num = /^\^?(\d+)\$?$/.exec(pattern);
    if (!num) return { kind: 'unsupported', reason: 'grep -l for a non-numeric value' };
    const exact = exactFlag || (pattern.startsWith('^') && pattern.endsWith('$'));
    return { kind: 'sysfs-grep', attr, mode: 'list', value: Number(num[1]), exact };
  }
  // `grep . FILES` / `grep -H '' FILES` print `path:value` for every file.
  if (files.length > 1 || files.some((f) => f.includes('*')) || flags.some((f) => f.includes('H'))) {
    return { kind: 'sysfs-grep', attr, mode: 'values', exact: true };
  }
  return { kind: 'unsupported', reason: 'grep of one sysfs file prints no file name' };
}

function classifyLs(args: string[]): CommandKind {
  const paths = args.filter((x) => !x.startsWith('-'));
  if (paths.length !== 1) return { kind: 'unsupported', reason: 'ls of several or no paths' };
  const p = (paths[0] as string).replace(/\/+$/, '');
  if (p === '/sys/class/net') return { kind: 'sysfs-list', brif: false };
  const m = /^\/sys\/class\/net\/([^/*?\s]+)(\/brif)?$/.exec(p);
  if (m) {
    return { kind: 'sysfs-list', ifname: m[1] as string, brif: m[2] !== undefined };
  }
  return { kind: 'unsupported', reason: `ls ${p} is not read` };
}

function classifySysctl(args: string[]): CommandKind {
  const flags = args.filter((x) => x.startsWith('-'));
  const keys = args.filter((x) => !x.startsWith('-'));
  if (keys.some((k) => k.includes('='))) return { kind: 'unsupported', reason: 'sysctl that sets a value' };
  if (flags.some((f) => f === '-w' || f === '-p' || f === '--system' || f === '--load')) {
    return { kind: 'unsupported', reason: 'sysctl that loads or sets values' };
  }
  const valuesOnly = flags.some((f) => !f.startsWith('--') && f.includes('n')) || flags.includes('--values');
  const all = flags.some((f) => !f.startsWith('--') && /[aAX]/.test(f)) || flags.includes('--all');
  if (!all && keys.length === 0) return { kind: 'unsupported', reason: 'sysctl without keys' };
  return { kind: 'sysctl', keys: keys.map((k) => k.replace(/\//g, '.')), valuesOnly };
}

/** Which reader handles the output of `argv` (already unwrapped), or null for programs podnet does not know. */
export function classify(argv: string[]): CommandKind | null {
  const prog = basename(argv[0] ?? '');
  const args = argv.slice(1);
  switch (prog) {
    case 'ip':
      return classifyIp(args);
    case 'bridge':
      return classifyBridge(args);
    case 'route': {
      if (args.some((a) => a === 'add' || a === 'del')) return { kind: 'unsupported', reason: 'route that changes the table' };
      if (args.some((a) => a === '-6' || a === 'inet6' || a.startsWith('-C'))) return { kind: 'unsupported', reason: 'route -6 / -C output is not read' };
      return { kind: 'route-n', numeric: args.some((a) => /^-[a-zA-Z]*n/.test(a)) };
    }
    case 'netstat':
      if (args.some((a) => /^-[a-zA-Z]*r/.test(a))) return { kind: 'route-n', numeric: args.some((a) => /^-[a-zA-Z]*n/.test(a)) };
      return { kind: 'unsupported', reason: 'netstat without -r is not read' };
    case 'brctl':
      if (args[0] === 'show' || args.length === 0) return { kind: 'brctl-show' };
      return { kind: 'unsupported', reason: `brctl ${args[0] ?? ''} is not read` };
    case 'kubectl':
    case 'k':
    case 'oc':
    case 'kubecolor':
      return classifyKubectl(argv);
    case 'microk8s':
    case 'k3s':
      return args[0] === 'kubectl' ? classifyKubectl(args) : { kind: 'unsupported', reason: `${prog} ${args[0] ?? ''} is not read` };
    case 'ethtool': {
      const i = args.findIndex((a) => a === '-S' || a === '--statistics');
      const ifname = i >= 0 ? args[i + 1] : undefined;
      if (ifname !== undefined) return { kind: 'ethtool-stats', ifname };
      return { kind: 'unsupported', reason: 'only `ethtool -S IFNAME` is read' };
    }
    case 'cat':
      return classifyCat(args);
    case 'grep':
    case 'egrep':
      return classifyGrep(args);
    case 'ls':
      return classifyLs(args);
    case 'sysctl':
      return classifySysctl(args);
    case 'exit':
    case 'logout':
      return { kind: 'exit' };
    case 'sudo':
      // Only `sudo` with no command is left after unwrapping: `sudo -i`, `sudo -s`.
      return { kind: 'shell' };
    case 'chroot':
      // Only `chroot DIR` with no command is left: a shell on the same machine (`chroot /host` in a node debug pod).
      return { kind: 'shell' };
    case 'export':
    case 'alias':
    case 'cd':
    case 'clear':
    case 'unset':
    case 'source':
    case '.':
      return { kind: 'unsupported', reason: `\`${prog}\` is a shell builtin that sets up the shell; it prints no network state` };
    case 'wg':
      return { kind: 'unsupported', reason: 'wg output (WireGuard peers, endpoints, allowed ips) is not read; podnet recognises WireGuard devices (wireguard.cali, flannel-wg) and says where a trace enters one' };
    case 'su':
      if (args.includes('-c')) return { kind: 'unsupported', reason: 'su -c runs a command podnet cannot see inside the quotes' };
      return { kind: 'shell' };
    case 'ifconfig': {
      const words = args.filter((a) => !a.startsWith('-'));
      // `ifconfig eth0 up`, `ifconfig eth0 10.0.0.1 netmask …` change the device.
      if (words.length > 1) return { kind: 'unsupported', reason: 'ifconfig that changes a device' };
      return { kind: 'ifconfig' };
    }
    case 'arp':
      if (args.some((a) => /^-[a-zA-Z]*[sdf]/.test(a))) return { kind: 'unsupported', reason: 'arp that changes the table' };
      return { kind: 'arp' };
    case 'ping':
    case 'traceroute':
    case 'tracepath':
    case 'mtr':
      return { kind: 'unsupported', reason: `${prog} output is an observation, not configuration; compare it with the traceroute podnet predicts` };
    case 'ps':
    case 'pgrep':
      return { kind: 'apiserver-flags' };
    case 'nslookup':
    case 'dig':
      return { kind: 'unsupported', reason: `${prog} output is an observation (which DNS server answered); trace the DNS Service itself with --to CLUSTER-IP:53` };
    case 'tcpdump':
      return { kind: 'unsupported', reason: 'tcpdump shows packets, not configuration; podnet predicts them from the routes, neighbours and FDB' };
    case 'calicoctl':
      return { kind: 'unsupported', reason: 'calicoctl output is not read; the routes Calico programs (ip route: proto bird, tunl0, vxlan.calico) carry the same facts' };
    case 'crictl':
    case 'docker':
    case 'nerdctl':
      return { kind: 'unsupported', reason: `${prog} ${args[0] ?? ''} output is not read; run ip commands in the pod's netns (ip netns exec, nsenter -t PID -n) to show it`.replace('  ', ' ') };
    case 'cilium':
    case 'cilium-dbg':
    case 'hubble':
      return { kind: 'unsupported', reason: `${prog} output is not read; podnet recognises Cilium from its cilium_host/cilium_vxlan/lxc devices and says where its eBPF datapath makes a route-based trace unfaithful` };
    case 'watch':
      return { kind: 'unsupported', reason: 'watch output is a screen refresh; paste the command without watch' };
    case 'iptables-save':
    case 'iptables-legacy-save':
    case 'iptables-nft-save': {
      const t = args.findIndex((a) => a === '-t' || a === '--table');
      const k: CommandKind = { kind: 'iptables-save' };
      const table = t >= 0 ? args[t + 1] : args.find((a) => a.startsWith('--table='))?.slice(8);
      if (table !== undefined) k.table = table;
      return k;
    }
    case 'iptables': {
      const t = args.findIndex((a) => a === '-t' || a === '--table');
      if (args.some((a) => a === '-S' || a === '--list-rules')) {
        return { kind: 'iptables-save', table: t >= 0 ? (args[t + 1] ?? 'filter') : 'filter' };
      }
      return { kind: 'unsupported', reason: 'iptables -L output is not read; paste iptables-save -t nat (or iptables -t nat -S), which prints the rules as kube-proxy wrote them' };
    }
    case 'ip6tables':
    case 'ipvsadm':
      return { kind: 'unsupported', reason: `${prog} output is not read; podnet reads kube-proxy's IPv4 iptables rules (iptables-save -t nat)` };
    default:
      if (KNOWN_PROGRAMS.has(prog)) return { kind: 'unsupported', reason: `the output of ${prog} is not read` };
      return null;
  }
}

/**
 * True when an un-prompted line reads as a command a person typed rather
 * than output or prose: it starts with a program podnet knows and its first
 * argument fits that program (`ip route …` yes, `ip addresses are…` no).
 */
export function looksLikeBareCommand(line: string): boolean {
  if (line.length === 0 || line.length > 2000 || /^\s/.test(line)) return false;
  if (looksLikeProse(line)) return false;
  const words = line.trim().split(/\s+/);
  const prog = words[0] ?? '';
  const next = words[1];
  switch (basename(prog)) {
    case 'ip':
      // Prose such as "ip link is down." ends like a sentence; commands do not.
      return (
        next !== undefined &&
        (next.startsWith('-') || matchesObject(next) !== undefined) &&
        !/[,:;!?]$|[a-z]\.$/.test(words[words.length - 1] ?? '') &&
        words.length <= 24
      );
    case 'bridge':
      return next !== undefined && (next.startsWith('-') || ['fdb', 'link', 'vlan', 'mdb'].includes(next));
    case 'brctl':
      return next === 'show' || next === undefined;
    case 'route':
      return next === undefined ? words.length === 1 : /^-[a-zA-Z0-9]+$/.test(next);
    case 'netstat':
      return next !== undefined && /^-[a-zA-Z]+$/.test(next);
    case 'kubectl':
    case 'k':
    case 'oc':
    case 'kubecolor':
      return (
        next !== undefined &&
        (['get', 'exec', 'describe', 'logs', 'apply', 'delete', 'debug', 'run', 'top', 'edit', 'config', 'cluster-info', 'version', 'explain', 'label', 'annotate', 'rollout', 'scale', 'cp', 'port-forward'].includes(next) ||
          /^-(n|-namespace|-context|A)/.test(next))
      );
    case 'ethtool':
      return next !== undefined && (/^-[a-zA-Z]$/.test(next) || /^[\w.@-]+$/.test(next)) && words.length <= 4;
    case 'cat':
    case 'ls':
    case 'readlink':
      return words.slice(1).some((w) => w.startsWith('/')) && words.slice(1).every((w) => /^[-/|~.\w*?@>]/.test(w));
    case 'grep':
    case 'egrep':
      return next !== undefined && (next.startsWith('-') || words.some((w) => w.startsWith('/'))) && words.length >= 3;
    case 'sysctl':
      return next !== undefined && (next.startsWith('-') || /^[a-z0-9_]+[./][\w./*-]+$/.test(next));
    case 'nsenter':
      return next !== undefined && next.startsWith('-');
    case 'docker':
    case 'crictl':
      return next !== undefined && ['exec', 'ps', 'inspect', 'pods', 'inspectp', 'network'].includes(next);
    case 'sudo':
      return looksLikeBareCommand(words.slice(1).join(' '));
    case 'exit':
    case 'logout':
      return words.length === 1 || (words.length === 2 && /^\d+$/.test(next ?? ''));
    case 'ping':
    case 'traceroute':
    case 'tracepath':
      return next !== undefined && (next.startsWith('-') || /^[\d.:a-fA-F]+$/.test(next) || /^[\w-]+(\.[\w-]+)+$/.test(next)) && words.length <= 8;
    case 'iptables':
    case 'iptables-save':
    case 'ipvsadm':
    case 'conntrack':
    case 'tcpdump':
    case 'ss':
      return words.length === 1 || (next !== undefined && next.startsWith('-'));
    case 'ssh':
      return next !== undefined && words.length <= 6 && /^(-|[\w.-]+@)?[\w.-]+$/.test(next);
    default:
      return false;
  }
}

const STOPWORDS = new Set([
  'the', 'is', 'are', 'was', 'were', 'and', 'or', 'to', 'of', 'in', 'on', 'for', 'from', 'with', 'this', 'that', 'it',
  'my', 'i', 'we', 'you', 'here', 'what', 'why', 'how', 'but', 'not', 'will', 'be', 'can', 'cannot', "can't", 'any',
  'output', 'below', 'above', 'then', 'now', 'when', 'so', 'just', 'use', 'instead', 'removed', 'see', 'its', 'our',
]);

/**
 * True for a line a person wrote between commands ("And the routes (I
 * removed the docker ones):"): several common English words and a sentence's
 * ending. Command output never reads like that.
 */
export function looksLikeProse(line: string): boolean {
  const t = line.trim();
  if (!/[.:?!)]$/.test(t) || /^\d+:\s/.test(t)) return false;
  const words = t.toLowerCase().split(/\s+/).map((w) => w.replace(/^[("'`]+|[)"'`.,:;?!]+$/g, ''));
  if (words.length < 4) return false;
  const hits = new Set(words.filter((w) => STOPWORDS.has(w)));
  return hits.size >= 2;
}
