/**
 * The kernel lab: small Kubernetes-shaped clusters built from network
 * namespaces on this machine, so that the real kernel can judge the engine.
 *
 * A node is a netns standing in for the node's host netns; its `eth0` is a
 * veth into an underlay "switch" netns holding a bridge. A pod is a netns
 * joined to its node by a veth (pod side `eth0`, host side `vethXXXXXXXX`).
 * Every namespace name starts with a per-run prefix, and `destroy()` deletes
 * exactly the namespaces this lab created.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { execCommand, mustRun, type Exec } from '../../collector/exec';

/** Which datapath the lab wires between nodes. */
export type ScenarioName =
  /** Bridge `cni0` plus `flannel.1` VXLAN, written the way flanneld writes it (DOMAIN §3a). */
  | 'flannel-vxlan'
  /** Bridge `cni0` plus plain routes via the other node's underlay address (DOMAIN §3b). */
  | 'host-gw';

/** A fault applied on top of a flannel-vxlan lab. */
export type FaultName =
  /** node1 has no FDB entry for node3's VTEP MAC. */
  | 'fdb-missing'
  /** node1's FDB entry for node2's VTEP MAC points at node3's underlay address. */
  | 'fdb-stale'
  /** node2 has `net.ipv4.ip_forward=0`. */
  | 'ip-forward-off'
  /** The host-side veth of node1's first pod is administratively down. */
  | 'veth-down'
  /** node1's `flannel.1` MTU is 1400 while pods send 1450-byte packets. */
  | 'vtep-mtu';

/** One simulated node. */
export interface LabNode {
  /** Kubernetes node name (`node1`). */
  name: string;
  /** The netns acting as this node's host netns. */
  netns: string;
  underlayIp: string;
  podCidr: string;
  /** Address of the bridge `cni0`: the pods' gateway. */
  gateway: string;
  /** `flannel.1` MAC (flannel-vxlan only). */
  vtepMac?: string;
  /** `flannel.1` address (flannel-vxlan only). */
  vtepIp?: string;
}

/** One simulated pod. */
export interface LabPod {
  namespace: string;
  name: string;
  node: string;
  netns: string;
  ip: string;
  hostVeth: string;
}

/** A built lab. */
export interface Lab {
  prefix: string;
  scenario: ScenarioName;
  fault?: FaultName;
  nodes: LabNode[];
  pods: LabPod[];
  switchNetns: string;
  /** Every netns this lab created, in creation order. */
  namespaces: string[];
  /** Pod MTU, and the packet size tests should use (`vtep-mtu` needs big packets). */
  podMtu: number;
  packetSize: number;
  /** Which pod a netns is, from its name (the collector's `podIdentity`). */
  podIdentity(netns: string): { namespace: string; name: string } | undefined;
  /** Deletes exactly this lab's namespaces; safe to call twice. */
  destroy(): Promise<void>;
}

/** Options of buildLab. */
export interface BuildLabOptions {
  scenario: ScenarioName;
  fault?: FaultName;
  /** Defaults to `pnl<4 hex>`; must be short, it starts every netns name. */
  prefix?: string;
  nodeCount?: number;
  podsPerNode?: number;
  exec?: Exec;
}

const UNDERLAY_NET = '192.168.50';
const POD_MTU_VXLAN = 1450;

function randomMac(): string {
  const b = randomBytes(6);
  // Locally administered unicast, like the kernel's and flannel's random MACs.
  b[0] = ((b[0] ?? 0) & 0xfe) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/**
 * A fresh run prefix: short enough to keep names readable, random enough for parallel runs, and
 * used by no netns already there (a run killed before destroy() leaves its names behind).
 */
export function newPrefix(): string {
  let taken: string[] = [];
  try {
    taken = readdirSync('/run/netns');
  } catch {
    // No named netns yet.
  }
  for (;;) {
    const prefix = `pnl${randomBytes(3).toString('hex')}`;
    if (!taken.some((n) => n.startsWith(`${prefix}-`))) return prefix;
  }
}

/** True when this process may create network namespaces. */
export function canBuildLab(): { ok: true } | { ok: false; reason: string } {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { ok: false, reason: `the kernel lab needs root to create network namespaces (uid ${process.getuid()})` };
  }
  return { ok: true };
}

/** Builds a lab, failing loudly (never skipping) when this machine cannot. */
export async function requireLab(opts: BuildLabOptions): Promise<Lab> {
  const can = canBuildLab();
  if (!can.ok) throw new Error(`kernel lab unavailable: ${can.reason}. Run the lab suite as root (npx vitest run e2e/lab).`);
  return buildLab(opts);
}

/** Builds a scenario; on any failure it removes what it had created and rethrows. */
export async function buildLab(opts: BuildLabOptions): Promise<Lab> {
  const exec = opts.exec ?? execCommand;
  const prefix = opts.prefix ?? newPrefix();
  const nodeCount = opts.nodeCount ?? (opts.scenario === 'host-gw' ? 2 : 3);
  const podsPerNode = opts.podsPerNode ?? 2;
  const namespaces: string[] = [];
  const podMtu = opts.scenario === 'flannel-vxlan' ? POD_MTU_VXLAN : 1500;

  const ip = (...args: string[]) => mustRun(exec, 'ip', args);
  const inNs = (ns: string, ...args: string[]) => mustRun(exec, 'ip', ['-n', ns, ...args]);
  const sysctl = (ns: string, key: string, value: string) =>
    mustRun(exec, 'ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', `${key}=${value}`]);
  const addNetns = async (name: string) => {
    await ip('netns', 'add', name);
    namespaces.push(name);
    await inNs(name, 'link', 'set', 'lo', 'up');
    // Dozens of concurrent traceroutes make one gateway answer the same pod many times a second; the kernel's
    // per-destination ICMP rate limit (1 s, burst 6) would then turn real answers into `*`.
    await mustRun(exec, 'ip', ['netns', 'exec', name, 'sysctl', '-q', '-w', 'net.ipv4.icmp_ratelimit=0', 'net.ipv4.icmp_msgs_per_sec=100000', 'net.ipv4.icmp_msgs_burst=100000']);
  };

  let destroyed = false;
  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    // Reverse order: pods before their node, so no veth outlives a half-deleted node.
    for (const ns of [...namespaces].reverse()) {
      const r = await exec('ip', ['netns', 'del', ns]);
      if (r.code !== 0 && !/No such file/.test(r.stderr)) {
        throw new Error(`could not delete netns ${ns}: ${r.stderr.trim()}`);
      }
    }
  };

  const nodes: LabNode[] = [];
  const pods: LabPod[] = [];
  const switchNetns = `${prefix}-sw`;
  try {
    await addNetns(switchNetns);
    await inNs(switchNetns, 'link', 'add', 'br0', 'type', 'bridge');
    await inNs(switchNetns, 'link', 'set', 'br0', 'up');

    for (let i = 1; i <= nodeCount; i++) {
      const name = `node${i}`;
      const node: LabNode = {
        name,
        netns: `${prefix}-${name}`,
        underlayIp: `${UNDERLAY_NET}.${10 + i}`,
        podCidr: `10.244.${i}.0/24`,
        gateway: `10.244.${i}.1`,
      };
      if (opts.scenario === 'flannel-vxlan') {
        node.vtepMac = randomMac();
        node.vtepIp = `10.244.${i}.0`;
      }
      nodes.push(node);
      const ns = node.netns;
      await addNetns(ns);
      // Real nodes have these values; a fresh netns starts with ip_forward=0.
      await sysctl(ns, 'net.ipv4.ip_forward', '1');
      await sysctl(ns, 'net.ipv4.conf.all.rp_filter', '0');
      const swPort = `sw-${name}`;
      await inNs(switchNetns, 'link', 'add', swPort, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      await inNs(switchNetns, 'link', 'set', swPort, 'master', 'br0', 'up');
      await inNs(ns, 'addr', 'add', `${node.underlayIp}/24`, 'dev', 'eth0');
      await inNs(ns, 'link', 'set', 'eth0', 'up');

      await inNs(ns, 'link', 'add', 'cni0', 'type', 'bridge');
      await inNs(ns, 'link', 'set', 'cni0', 'mtu', String(podMtu));
      await inNs(ns, 'addr', 'add', `${node.gateway}/24`, 'dev', 'cni0');
      await inNs(ns, 'link', 'set', 'cni0', 'up');

      if (opts.scenario === 'flannel-vxlan') {
        await inNs(ns, 'link', 'add', 'flannel.1', 'address', node.vtepMac!, 'type', 'vxlan', 'id', '1', 'local', node.underlayIp, 'dev', 'eth0', 'dstport', '8472', 'nolearning');
        await inNs(ns, 'link', 'set', 'flannel.1', 'mtu', String(POD_MTU_VXLAN));
        await inNs(ns, 'addr', 'add', `${node.vtepIp!}/32`, 'dev', 'flannel.1');
        await inNs(ns, 'link', 'set', 'flannel.1', 'up');
      }

      for (let p = 0; p < podsPerNode; p++) {
        const letter = String.fromCharCode(97 + p);
        const pod: LabPod = {
          namespace: 'default',
          name: `web-${name}-${letter}`,
          node: name,
          netns: `${prefix}-${name}-default_web-${name}-${letter}`,
          ip: `10.244.${i}.${2 + p}`,
          hostVeth: `veth${randomBytes(4).toString('hex')}`,
        };
        pods.push(pod);
        await addNetns(pod.netns);
        await inNs(ns, 'link', 'add', pod.hostVeth, 'mtu', String(podMtu), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod.netns);
        await inNs(ns, 'link', 'set', pod.hostVeth, 'master', 'cni0', 'up');
        await inNs(pod.netns, 'link', 'set', 'eth0', 'mtu', String(podMtu));
        await inNs(pod.netns, 'addr', 'add', `${pod.ip}/24`, 'dev', 'eth0');
        await inNs(pod.netns, 'link', 'set', 'eth0', 'up');
        await inNs(pod.netns, 'route', 'add', 'default', 'via', node.gateway, 'dev', 'eth0');
      }
    }

    for (const node of nodes) {
      for (const other of nodes) {
        if (other === node) continue;
        if (opts.scenario === 'flannel-vxlan') {
          await inNs(node.netns, 'route', 'add', other.podCidr, 'via', other.vtepIp!, 'dev', 'flannel.1', 'onlink');
          await inNs(node.netns, 'neigh', 'add', other.vtepIp!, 'lladdr', other.vtepMac!, 'dev', 'flannel.1', 'nud', 'permanent');
          await mustRun(exec, 'bridge', ['-n', node.netns, 'fdb', 'append', other.vtepMac!, 'dev', 'flannel.1', 'dst', other.underlayIp, 'self', 'permanent']);
        } else {
          await inNs(node.netns, 'route', 'add', other.podCidr, 'via', other.underlayIp, 'dev', 'eth0');
        }
      }
    }

    const lab: Lab = {
      prefix,
      scenario: opts.scenario,
      nodes,
      pods,
      switchNetns,
      namespaces,
      podMtu,
      packetSize: 84,
      podIdentity: (netns) => {
        const pod = pods.find((p) => p.netns === netns);
        return pod ? { namespace: pod.namespace, name: pod.name } : undefined;
      },
      destroy,
    };
    if (opts.fault) await applyFault(lab, opts.fault, exec);
    return lab;
  } catch (err) {
    await destroy().catch(() => undefined);
    throw err;
  }
}

function nodeOf(lab: Lab, name: string): LabNode {
  const node = lab.nodes.find((n) => n.name === name);
  if (!node) throw new Error(`lab ${lab.prefix} has no ${name}`);
  return node;
}

/** Breaks a running flannel-vxlan lab in one of the ways real clusters break. */
export async function applyFault(lab: Lab, fault: FaultName, exec: Exec = execCommand): Promise<void> {
  if (lab.scenario !== 'flannel-vxlan') throw new Error(`fault ${fault} needs a flannel-vxlan lab`);
  const n1 = nodeOf(lab, 'node1');
  switch (fault) {
    case 'fdb-missing': {
      const n3 = nodeOf(lab, 'node3');
      await mustRun(exec, 'bridge', ['-n', n1.netns, 'fdb', 'del', n3.vtepMac!, 'dev', 'flannel.1', 'dst', n3.underlayIp, 'self']);
      break;
    }
    case 'fdb-stale': {
      const n2 = nodeOf(lab, 'node2');
      const n3 = nodeOf(lab, 'node3');
      await mustRun(exec, 'bridge', ['-n', n1.netns, 'fdb', 'del', n2.vtepMac!, 'dev', 'flannel.1', 'dst', n2.underlayIp, 'self']);
      await mustRun(exec, 'bridge', ['-n', n1.netns, 'fdb', 'append', n2.vtepMac!, 'dev', 'flannel.1', 'dst', n3.underlayIp, 'self', 'permanent']);
      break;
    }
    case 'ip-forward-off': {
      const n2 = nodeOf(lab, 'node2');
      await mustRun(exec, 'ip', ['netns', 'exec', n2.netns, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=0']);
      break;
    }
    case 'veth-down': {
      const pod = lab.pods.find((p) => p.node === 'node1');
      if (!pod) throw new Error('no pod on node1');
      await mustRun(exec, 'ip', ['-n', n1.netns, 'link', 'set', pod.hostVeth, 'down']);
      break;
    }
    case 'vtep-mtu': {
      await mustRun(exec, 'ip', ['-n', n1.netns, 'link', 'set', 'flannel.1', 'mtu', '1400']);
      lab.packetSize = 1450;
      break;
    }
    default: {
      const never: never = fault;
      throw new Error(`unknown fault ${String(never)}`);
    }
  }
  lab.fault = fault;
}
