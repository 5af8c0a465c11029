/**
 * kube-proxy in the kernel lab: the nat and filter rules kube-proxy's
 * iptables proxier (1.28) writes for a ClusterIP Service, installed with
 * `iptables-restore` in a node's host netns, and the probes that show what
 * the kernel does with them — `traceroute -U -p PORT` to the ClusterIP and a
 * UDP exchange with an echo server in the endpoint's netns (ping proves
 * nothing here: ICMP echo matches no port rule and is never DNATed).
 *
 * iptables is used through Debian's default `iptables-restore` (the nf_tables
 * variant) for writing and `iptables-save` of the same variant for reading,
 * as the collector reads it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { execCommand, mustRun, type Exec } from '../../collector/exec';
import type { LabNode } from './lab';

/** One Service port and its endpoints, as the API server would hand them to kube-proxy. */
export interface LabService {
  namespace: string;
  name: string;
  portName: string;
  clusterIp: string;
  port: number;
  protocol: 'udp' | 'tcp';
  targetPort: number;
  /** Pod IPs; none gives kube-proxy's filter-table REJECT. */
  endpoints: string[];
}

/** The lab's pod network, for the KUBE-MARK-MASQ of sources from outside it. */
export const CLUSTER_CIDR = '10.244.0.0/16';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** kube-proxy's chain names: prefix + the first 16 base32 characters of a SHA-256 (proxy/iptables/proxier.go). */
function chainName(prefix: string, key: string): string {
  return `${prefix}${base32(createHash('sha256').update(key).digest()).slice(0, 16)}`;
}

function svcPortName(s: LabService): string {
  return `${s.namespace}/${s.name}:${s.portName}`;
}

export function svcChain(s: LabService): string {
  return chainName('KUBE-SVC-', svcPortName(s) + s.protocol);
}

export function sepChain(s: LabService, ip: string): string {
  return chainName('KUBE-SEP-', svcPortName(s) + s.protocol + `${ip}:${s.targetPort}`);
}

/**
 * The iptables-restore input kube-proxy would write for these Services.
 * `force` (kernel side only) keeps one endpoint's jump in its Service chain
 * so the kernel's random choice is made for it; the capture always holds the
 * unforced rules.
 */
export function kubeProxyRules(services: readonly LabService[], opts: { force?: string } = {}): string {
  const natChains = ['KUBE-MARK-MASQ', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-SERVICES'];
  const nat: string[] = [
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
  ];
  const filter: string[] = [
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  ];
  const svcRules: string[] = [];
  const chainRules: string[] = [];
  for (const s of services) {
    const name = svcPortName(s);
    const match = `-p ${s.protocol} -m comment --comment "${name} cluster IP" -m ${s.protocol} --dport ${s.port}`;
    if (s.endpoints.length === 0) {
      filter.push(`-A KUBE-SERVICES -d ${s.clusterIp}/32 -p ${s.protocol} -m comment --comment "${name} has no endpoints" -m ${s.protocol} --dport ${s.port} -j REJECT --reject-with icmp-port-unreachable`);
      continue;
    }
    const svc = svcChain(s);
    natChains.push(svc);
    svcRules.push(`-A KUBE-SERVICES -d ${s.clusterIp}/32 ${match} -j ${svc}`);
    chainRules.push(`-A ${svc} ! -s ${CLUSTER_CIDR} -d ${s.clusterIp}/32 ${match} -j KUBE-MARK-MASQ`);
    const jumps = opts.force === undefined ? s.endpoints : s.endpoints.filter((ip) => ip === opts.force);
    jumps.forEach((ip, i) => {
      const left = jumps.length - i;
      // kube-proxy's shares: 1/n, 1/(n-1), …, and no statistic match on the last.
      const stat = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(11)}` : '';
      chainRules.push(`-A ${svc} -m comment --comment "${name} -> ${ip}:${s.targetPort}"${stat} -j ${sepChain(s, ip)}`);
    });
    for (const ip of s.endpoints) {
      const sep = sepChain(s, ip);
      natChains.push(sep);
      chainRules.push(`-A ${sep} -s ${ip}/32 -m comment --comment "${name}" -j KUBE-MARK-MASQ`);
      chainRules.push(`-A ${sep} -p ${s.protocol} -m comment --comment "${name}" -m ${s.protocol} -j DNAT --to-destination ${ip}:${s.targetPort}`);
    }
  }
  svcRules.push('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS');
  const filterChains = ['KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-KUBELET-CANARY', 'KUBE-NODEPORTS', 'KUBE-PROXY-CANARY', 'KUBE-PROXY-FIREWALL', 'KUBE-SERVICES'];
  return [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ...filterChains.map((c) => `:${c} - [0:0]`),
    ...filter,
    'COMMIT',
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ...natChains.map((c) => `:${c} - [0:0]`),
    ...nat,
    ...svcRules,
    ...chainRules,
    'COMMIT',
    '',
  ].join('\n');
}

/** Fails loudly, never skips, when this machine has no iptables (scripts/test.sh installs Debian's). */
export async function requireIptables(exec: Exec = execCommand): Promise<void> {
  for (const bin of ['iptables-restore', 'iptables-save']) {
    const r = await exec(bin, ['--version']);
    if (r.code !== 0) throw new Error(`the Services lab needs ${bin} (Debian package iptables): ${r.stderr.trim() || `exit status ${r.code}`}`);
  }
}

/** Replaces the node's filter and nat tables with `rules` (the lab's node netns hold nothing else). */
export async function installRules(node: LabNode, rules: string, exec: Exec = execCommand): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', node.netns, 'iptables-restore'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`iptables-restore in ${node.netns} failed (${code}): ${err.trim()}`))));
    child.stdin.end(rules);
  });
  // kube-proxy needs bridged pod traffic to pass iptables (kubelet and kube-proxy both check it).
  await mustRun(exec, 'ip', ['netns', 'exec', node.netns, 'sysctl', '-q', '-w', 'net.bridge.bridge-nf-call-iptables=1']);
}

const ECHO_SERVER = `
const s = require('node:dgram').createSocket('udp4');
s.on('message', (m, r) => s.send(process.argv[2], r.port, r.address));
s.bind(Number(process.argv[1]), () => process.stdout.write('ready\\n'));
`;

/** A UDP server in a pod netns answering every datagram with the pod's name; kill() stops exactly it. */
export async function startEchoServer(netns: string, port: number, name: string): Promise<{ kill(): void }> {
  const child: ChildProcess = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', ECHO_SERVER, String(port), name], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`echo server in ${netns} did not start`)), 10_000);
    child.stdout?.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`echo server in ${netns} exited with ${code}`));
    });
  });
  return {
    kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

const UDP_CLIENT = `
const [dst, port, count] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const dgram = require('node:dgram');
const one = () => new Promise((resolve) => {
  // A fresh socket (source port) per probe: a new conntrack entry, so kube-proxy's random choice is made anew.
  const s = dgram.createSocket('udp4');
  const done = (v) => { clearTimeout(t); s.close(); resolve(v); };
  const t = setTimeout(() => done({ answer: null, error: 'timeout' }), 1000);
  s.on('message', (m, r) => done({ answer: m.toString(), from: r.address + ':' + r.port }));
  s.on('error', (e) => done({ answer: null, error: e.code }));
  s.connect(port, dst, () => s.send('probe'));
});
(async () => { const out = []; for (let i = 0; i < count; i++) out.push(await one()); process.stdout.write(JSON.stringify(out)); })();
`;

/** What one UDP exchange from a pod got back. */
export interface UdpAnswer {
  /** The echo server's pod name, or null without an answer. */
  answer: string | null;
  /** Source of the answer as the client saw it (the ClusterIP after conntrack's reverse NAT). */
  from?: string;
  error?: string;
}

/** `count` UDP exchanges with dst:port from a pod netns, one socket each. */
export async function udpProbe(netns: string, dst: string, port: number, count: number, exec: Exec = execCommand): Promise<UdpAnswer[]> {
  const r = await exec('ip', ['netns', 'exec', netns, process.execPath, '-e', UDP_CLIENT, dst, String(port), String(count)]);
  if (r.code !== 0) throw new Error(`UDP probe from ${netns} failed: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as UdpAnswer[];
}

const TCP_CLIENT = `
const s = require('node:net').connect({ host: process.argv[1], port: Number(process.argv[2]) });
s.setTimeout(2000, () => { process.stdout.write('timeout'); process.exit(0); });
s.on('connect', () => { process.stdout.write('connected'); process.exit(0); });
s.on('error', (e) => { process.stdout.write(e.code); process.exit(0); });
`;

/** A TCP connect from a pod netns: `connected`, `timeout`, or the socket error's code (ECONNREFUSED…). */
export async function tcpConnect(netns: string, dst: string, port: number, exec: Exec = execCommand): Promise<string> {
  const r = await exec('ip', ['netns', 'exec', netns, process.execPath, '-e', TCP_CLIENT, dst, String(port)]);
  return r.stdout.trim();
}
