/**
 * The unseen-capture check: each realworld fixture holds what a cluster's own
 * `traceroute` / `mtr` printed. Read the files as the CLI does (readEvidence,
 * reconcileReadings, buildTopology), trace, and hold the predicted traceroute
 * to the one in the capture — parsed from the capture, not copied from podnet.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEvidence } from '../read/readEvidence';
import { reconcileReadings, type ReadingToReconcile } from '../read/reconcile';
import { buildTopology } from '../topology/build';
import { trace } from './trace';
import type { Disposition, Trace } from './types';

const ROOT = path.join(__dirname, '..', '..', 'e2e', 'fixtures', 'realworld');

function text(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8');
}

/** `NODE=FILE` or `FILE`, as on the command line. */
function traceFiles(args: readonly string[], from: string, to: string): Trace {
  const readings: ReadingToReconcile[] = args.map((arg) => {
    const m = /^([^=/]+)=(.+)$/.exec(arg);
    const file = m ? (m[2] as string) : arg;
    const nodeName = m ? m[1] : undefined;
    const result = readEvidence(text(file), { fileName: path.basename(file), ...(nodeName !== undefined ? { nodeName } : {}) });
    expect(result.error, `${file}: ${result.error?.message ?? ''}`).toBeUndefined();
    return nodeName !== undefined ? { result, nodeName } : { result };
  });
  reconcileReadings(readings);
  return trace(buildTopology(readings.flatMap((r) => r.result.snapshots)), from, to);
}

/**
 * The hop addresses a pasted traceroute / tracepath / mtr printed after the
 * command line containing `command` (the first such line in `file`): one per
 * TTL, `*` for a silent one.
 */
function observedHops(file: string, command: string): string[] {
  const lines = text(file).split(/\r\n|\n/);
  const at = lines.findIndex((l) => l.includes(command));
  expect(at, `${file}: no line with "${command}"`).toBeGreaterThanOrEqual(0);
  const hops: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (/^(traceroute to |Start: |HOST: )|\[LOCALHOST\]/.test(line)) continue;
    // traceroute ` 1  10.0.0.1  0.1 ms …` / ` 2  * * *`; mtr --report `  1.|-- 10.0.0.1 …`; tracepath ` 1:  10.0.0.1  0.1ms`.
    const m = /^\s*(\d+)(?:\.\|--|:)?\s+(\S+)/.exec(line);
    if (!m) break;
    const ttl = Number(m[1]);
    if (ttl === hops.length) continue; // tracepath prints a TTL once per probe
    if (ttl !== hops.length + 1) break;
    const addr = (m[2] as string).replace(/^\((.*)\)$/, '$1');
    hops.push(addr === '???' || addr === 'no' ? '*' : addr);
  }
  expect(hops.length, `${file}: no hops after "${command}"`).toBeGreaterThan(0);
  return hops;
}

interface Case {
  title: string;
  files: string[];
  from: string;
  to: string;
  verdict: Disposition;
  /** Where the cluster's own traceroute for this path is: file and a unique piece of its command line. */
  observed: { file: string; command: string };
}

/**
 * Delivered: podnet's traceroute is the observed one. Dropped: the observed
 * hops up to the drop, then silence (`*`) where the capture shows `* * *`.
 * Leaving the evidence: the observed hops up to the last captured node, then `?`.
 */
function expectTracerouteMatches(t: Trace, observed: string[], c: Case): void {
  if (c.verdict === 'delivered') {
    expect(t.traceroute).toEqual(observed);
    return;
  }
  if (c.verdict === 'dropped') {
    expect(t.traceroute.at(-1)).toBe('*');
    const answered = t.traceroute.slice(0, -1);
    expect(answered).toEqual(observed.slice(0, answered.length));
    expect(observed.slice(answered.length).every((h) => h === '*')).toBe(true);
    return;
  }
  const known = t.traceroute.slice(0, -1);
  expect(t.traceroute.at(-1)).toBe('?');
  expect(known.length).toBeLessThan(observed.length);
  expect(known).toEqual(observed.slice(0, known.length));
}

const CASES: Case[] = [
  {
    title: 'flannel VXLAN on cni0, Vagrant nodes (both on 10.0.2.15 by NAT), PuTTY CRLF paste: master pod → worker1 pod',
    files: ['flannel-vxlan-vagrant-putty/k8s-master.txt', 'flannel-vxlan-vagrant-putty/k8s-worker1.txt'],
    from: 'busybox-7d8f6c5b9-xk2lp',
    to: '10.244.1.5',
    verdict: 'delivered',
    observed: { file: 'flannel-vxlan-vagrant-putty/k8s-master.txt', command: 'traceroute -n 10.244.1.5' },
  },
  {
    title: 'flannel VXLAN: worker1 pod (a cni-… netns named by kubectl from the other file) → master pod',
    files: ['flannel-vxlan-vagrant-putty/k8s-master.txt', 'flannel-vxlan-vagrant-putty/k8s-worker1.txt'],
    from: 'default/nginx-6799fc88d8-m4q9z',
    to: 'busybox-7d8f6c5b9-xk2lp',
    verdict: 'delivered',
    observed: { file: 'flannel-vxlan-vagrant-putty/k8s-worker1.txt', command: 'traceroute -n 10.244.0.7' },
  },
  {
    title: 'flannel VXLAN: master pod → a pod on worker2, which was not captured',
    files: ['flannel-vxlan-vagrant-putty/k8s-master.txt', 'flannel-vxlan-vagrant-putty/k8s-worker1.txt'],
    from: '10.244.0.7',
    to: '10.244.2.4',
    verdict: 'exits-network',
    observed: { file: 'flannel-vxlan-vagrant-putty/k8s-master.txt', command: 'traceroute -n 10.244.2.4' },
  },
  {
    title: 'old flannel on docker0 (one /16 route, l3miss neighbours), -bash-4.2# prompt, nsenter into a dockershim pod',
    files: ['flannel-docker0-l3miss/node03-session.txt'],
    from: 'guestbook-frontend-3823415956-8hw1v',
    to: '10.244.5.2',
    verdict: 'exits-network',
    observed: { file: 'flannel-docker0-l3miss/node03-session.txt', command: 'traceroute 10.244.5.2' },
  },
  {
    title: 'k3s host-gw: oh-my-zsh node with ip -c colours → blog-pasted node without <FLAGS> or indentation, pod seen only through ip -o',
    files: ['k3s-host-gw-blog/k3s-a-ohmyzsh.txt', 'k3s-host-gw-blog/k3s-b-blogpost.txt'],
    from: 'client-5b9f7c8d6-7wq2k',
    to: 'echo-6c4f9b7d5-p8xlz',
    verdict: 'delivered',
    observed: { file: 'k3s-host-gw-blog/k3s-a-ohmyzsh.txt', command: 'traceroute -n 10.42.1.12' },
  },
  {
    title: 'k3s host-gw: from the node itself (its address) to the remote pod, as mtr --report saw it',
    files: ['k3s-host-gw-blog/k3s-a-ohmyzsh.txt', 'k3s-host-gw-blog/k3s-b-blogpost.txt'],
    from: '172.16.8.11',
    to: '10.42.1.12',
    verdict: 'delivered',
    observed: { file: 'k3s-host-gw-blog/k3s-a-ohmyzsh.txt', command: 'mtr --report' },
  },
  {
    title: 'Calico IPIP from a PowerShell ssh session → a node read through kubectl debug (tunl0 known only from ip -4 a)',
    files: ['calico-ipip-proxmox-powershell/wk-1-powershell.txt', 'calico-ipip-proxmox-powershell/wk-2-kubectl-debug.txt'],
    from: 'web-0',
    to: 'api-7c5d8b9f6-2xkqp',
    verdict: 'delivered',
    observed: { file: 'calico-ipip-proxmox-powershell/wk-1-powershell.txt', command: 'traceroute -n 192.168.201.5' },
  },
  {
    title: 'Calico IPIP: web-0 → a pod on the control plane, which was not captured',
    files: ['calico-ipip-proxmox-powershell/wk-1-powershell.txt', 'calico-ipip-proxmox-powershell/wk-2-kubectl-debug.txt'],
    from: 'default/web-0',
    to: '192.168.113.130',
    verdict: 'exits-network',
    observed: { file: 'calico-ipip-proxmox-powershell/wk-1-powershell.txt', command: 'traceroute -n 192.168.113.130' },
  },
  {
    title: 'Calico BGP without overlay on bonded bare metal: tracepath from a pod, destination node read as ip -j -p route and ip -br',
    files: ['calico-bgp-baremetal-bond/bm-01.txt', 'calico-bgp-baremetal-bond/bm-02.txt'],
    from: 'cart-5f7d9c8b6-hq2vx',
    to: 'catalog-6b8c7d9f5-ww8zr',
    verdict: 'delivered',
    observed: { file: 'calico-bgp-baremetal-bond/bm-01.txt', command: 'tracepath -n 172.20.91.200' },
  },
  {
    title: 'Calico BGP: to a pod on bm-03, which was not captured',
    files: ['calico-bgp-baremetal-bond/bm-01.txt', 'calico-bgp-baremetal-bond/bm-02.txt'],
    from: 'shop/cart-5f7d9c8b6-hq2vx',
    to: '172.20.200.70',
    verdict: 'exits-network',
    observed: { file: 'calico-bgp-baremetal-bond/bm-01.txt', command: 'tracepath -n 172.20.200.70' },
  },
  {
    title: 'Calico VXLAN CrossSubnet: nodes in two subnets, the tunnel packet crosses the uncaptured gateway (pod routes from ip -n NETNS route)',
    files: ['calico-vxlan-crosssubnet-tmux/az1-node.txt', 'calico-vxlan-crosssubnet-tmux/az2-node.txt'],
    from: 'demo/whoami-7d6c5b4a39-f2xwp',
    to: '10.244.18.70',
    verdict: 'delivered',
    observed: { file: 'calico-vxlan-crosssubnet-tmux/az2-node.txt', command: 'traceroute -n -I 10.244.18.70' },
  },
  {
    title: 'Calico WireGuard: rule 99 sends pod traffic to table 1 and wireguard.cali, not to the IPIP routes of main',
    files: ['calico-wireguard-rules/node-a.txt'],
    from: 'reports-78c6d5f9b-2pkxd',
    to: 'store-0',
    verdict: 'insufficient-information',
    observed: { file: 'calico-wireguard-rules/node-a.txt', command: 'traceroute -n 10.65.22.70' },
  },
  {
    title: 'Canal on RKE2 (flannel VXLAN between nodes, cali veths and 169.254.1.1 in the pods, no bridge), SUSE host:~ # prompt',
    files: ['canal-rke2-suse/rke2-server-1.txt', 'canal-rke2-suse/rke2-agent-1.txt'],
    from: 'api-7f9c6d8b5-kq2wd',
    to: 'worker-6c8b7d5f9-9xzmt',
    verdict: 'delivered',
    observed: { file: 'canal-rke2-suse/rke2-server-1.txt', command: 'traceroute -n 10.42.0.14' },
  },
  {
    title: 'Canal on RKE2: back from the agent pod (read through ip netns exec and ip -4 -o addr)',
    files: ['canal-rke2-suse/rke2-server-1.txt', 'canal-rke2-suse/rke2-agent-1.txt'],
    from: 'apps/worker-6c8b7d5f9-9xzmt',
    to: '10.42.1.5',
    verdict: 'delivered',
    observed: { file: 'canal-rke2-suse/rke2-agent-1.txt', command: 'traceroute -n 10.42.1.5' },
  },
  {
    title: 'Canal on RKE2: to the pod on rke2-agent-2, which was not captured',
    files: ['canal-rke2-suse/rke2-server-1.txt', 'canal-rke2-suse/rke2-agent-1.txt'],
    from: 'api-7f9c6d8b5-kq2wd',
    to: 'apps/worker-6c8b7d5f9-ttr6n',
    verdict: 'exits-network',
    observed: { file: 'canal-rke2-suse/rke2-server-1.txt', command: 'traceroute -n 10.42.2.9' },
  },
  {
    title: 'flannel VXLAN after kube-b was rebuilt: kube-a still sends to the old VtepMAC (ip -j … | jq paste), kube-b drops the frame',
    files: ['flannel-stale-vtep-mac-json/kube-a-json.txt', 'flannel-stale-vtep-mac-json/kube-b.txt'],
    from: 'client-x-6f8d9c7b5-l2qpz',
    to: 'server-y-5c7b8d6f4-8vwmh',
    verdict: 'dropped',
    observed: { file: 'flannel-stale-vtep-mac-json/kube-a-json.txt', command: 'traceroute -n -w 1 -m 4 10.244.1.9' },
  },
  {
    title: 'Calico VXLAN CrossSubnet from the node pasted with ip -br -c a (no ifindexes): the first hop is eth0, registered before vxlan.calico',
    files: ['calico-vxlan-crosssubnet-tmux/az1-node.txt', 'calico-vxlan-crosssubnet-tmux/az2-node.txt'],
    from: 'toolbox-58c9d7b6f4-8zkq4',
    to: 'whoami-7d6c5b4a39-f2xwp',
    verdict: 'delivered',
    observed: { file: 'calico-vxlan-crosssubnet-tmux/az1-node.txt', command: 'traceroute -n 10.244.150.9' },
  },
  {
    title: 'Calico VXLAN CrossSubnet: a same-subnet node is routed directly by eth0, without the tunnel (not captured)',
    files: ['calico-vxlan-crosssubnet-tmux/az1-node.txt', 'calico-vxlan-crosssubnet-tmux/az2-node.txt'],
    from: 'toolbox-58c9d7b6f4-8zkq4',
    to: 'demo/whoami-7d6c5b4a39-r8tnm',
    verdict: 'exits-network',
    observed: { file: 'calico-vxlan-crosssubnet-tmux/az1-node.txt', command: 'traceroute -n 10.244.77.131' },
  },
];

describe('traces over unseen real-world captures agree with the clusters own traceroute', () => {
  it.each(CASES.map((c) => [c.title, c] as const))('%s', (_title, c) => {
    const t = traceFiles(c.files, c.from, c.to);
    expect(t.verdict, t.reason).toBe(c.verdict);
    // A pretty-printed `ip -j … | jq` is the whole table, not a filtered one.
    expect(t.warnings.filter((w) => w.includes('through a filter'))).toEqual([]);
    expectTracerouteMatches(t, observedHops(c.observed.file, c.observed.command), c);
  });
});

describe('Cilium with Geneve, pasted from a bash-5.1# root shell', () => {
  it('follows the pod to its lxc device, then says Cilium eBPF forwards from there instead of routing by cilium_host', () => {
    const t = traceFiles(['cilium-geneve-hubble/cil-w1.txt'], 'ledger-6d9f7c8b5-tq4mz', 'gateway-5c8d7b6f9-w2xrl');
    expect(t.verdict).toBe('insufficient-information');
    expect(t.reason).toMatch(/Cilium's eBPF/);
    expect(t.hops.map((h) => `${h.netns}/${h.interface}`)).toEqual(['k8s_payments_ledger-6d9f7c8b5-tq4mz/eth0', 'host/lxc1a2b3c4d5e6f']);
    expect(t.hops.some((h) => h.interface === 'cilium_host' || h.interface === 'cilium_geneve')).toBe(false);
    expect(t.traceroute).toEqual(['?']);
  });
});

describe('the WireGuard stop names what is missing', () => {
  it('asks for the WireGuard peers rather than calling the device unsupported', () => {
    const t = traceFiles(['calico-wireguard-rules/node-a.txt'], 'reports-78c6d5f9b-2pkxd', 'store-0');
    expect(t.hops.at(-1)?.interface).toBe('wireguard.cali');
    expect(t.reason).toMatch(/WireGuard peers of wireguard\.cali/);
    expect(t.hops.some((h) => h.interface === 'tunl0')).toBe(false);
  });
});

describe('every captured sender is addressable the way a user names it', () => {
  const vagrant = ['flannel-vxlan-vagrant-putty/k8s-master.txt', 'flannel-vxlan-vagrant-putty/k8s-worker1.txt'];

  it('a cni-… netns without kubectl facts, by its name or NODE/NETNS', () => {
    const alone = traceFiles(['flannel-vxlan-vagrant-putty/k8s-worker1.txt'], 'cni-8e3f41a2-6c0d-95b7-d213-7a4e0c6f5b98', '10.244.0.7');
    expect(alone.from).toMatchObject({ ip: '10.244.1.5', node: 'k8s-worker1' });
    expect(alone.verdict).toBe('exits-network');
    const both = traceFiles(vagrant, 'k8s-worker1/cni-8e3f41a2-6c0d-95b7-d213-7a4e0c6f5b98', '10.244.0.7');
    expect(both.from).toMatchObject({ ip: '10.244.1.5', pod: 'default/nginx-6799fc88d8-m4q9z' });
    expect(both.verdict).toBe('delivered');
  });

  it('a hostNetwork pod or a node sends from the address the kernel selects, not the NAT NIC listed first', () => {
    for (const from of ['kube-system/kube-proxy-4lmtd', 'k8s-master']) {
      const t = traceFiles(vagrant, from, 'nginx-6799fc88d8-m4q9z');
      expect(t.from.ip, from).toBe('10.244.0.0');
      expect(t.verdict, from).toBe('delivered');
      // worker1 forwards, and answers back to 10.244.0.0 by flannel.1.
      expect(t.traceroute, from).toEqual(['10.244.1.0', '10.244.1.5']);
    }
  });

  it('a pod known only from kubectl exec in its own file', () => {
    const t = traceFiles(['k3s-host-gw-blog/k3s-a-ohmyzsh.txt', 'k3s-host-gw-blog/k3s-b-blogpost.txt'], 'echo-6c4f9b7d5-p8xlz', 'client-5b9f7c8d6-7wq2k');
    expect(t.from).toMatchObject({ ip: '10.42.1.12', node: 'k3s-b' });
    // Its routing table was not pasted: the trace says so instead of guessing a gateway.
    expect(t.verdict).toBe('insufficient-information');
    expect(t.reason).toMatch(/routing table of k3s-b\/k8s_default_echo-6c4f9b7d5-p8xlz/);
  });
});

describe('flannel VXLAN with pod MTU 1500 over flannel.1 1450, both nodes in one paste through ssh', () => {
  const file = 'flannel-mtu-ssh-hop/deb-n1-and-n2.txt';

  /** What `ping -M do -s N` printed: the packet size, and the Frag-needed sender and MTU when it failed. */
  function pingObserved(command: string): { size: number; fragNeeded?: { from: string; mtu: number } } {
    const lines = text(file).split('\n');
    const at = lines.findIndex((l) => l.includes(command));
    const size = /\d+\((\d+)\) bytes of data/.exec(lines[at + 1] ?? '');
    expect(size, command).not.toBeNull();
    const frag = /^From (\S+) icmp_seq=\d+ Frag needed and DF set \(mtu = (\d+)\)/.exec(lines[at + 2] ?? '');
    return { size: Number(size![1]), ...(frag ? { fragNeeded: { from: frag[1] as string, mtu: Number(frag[2]) } } : {}) };
  }

  it('drops the 1500-byte DF ping at flannel.1 of the first node, where the capture got Frag needed', () => {
    const seen = pingObserved('ping -c1 -M do -s 1472');
    expect(seen.fragNeeded).toBeDefined();
    const readings: ReadingToReconcile[] = [{ result: readEvidence(text(file), { fileName: path.basename(file) }) }];
    reconcileReadings(readings);
    const t = trace(buildTopology(readings.flatMap((r) => r.result.snapshots)), 'probe', 'sink', { size: seen.size });
    expect(t.verdict).toBe('dropped');
    expect(t.dropReason).toBe('mtu-exceeded');
    expect(t.hops.at(-1)).toMatchObject({ node: 'deb-n1', interface: 'flannel.1' });
    expect(t.reason).toContain(`mtu = ${seen.fragNeeded!.mtu}, from ${seen.fragNeeded!.from}`);
  });

  it('delivers the 1450-byte ping and the default probe with the traceroute the capture shows', () => {
    const seen = pingObserved('ping -c1 -M do -s 1422');
    expect(seen.fragNeeded).toBeUndefined();
    const readings: ReadingToReconcile[] = [{ result: readEvidence(text(file), { fileName: path.basename(file) }) }];
    reconcileReadings(readings);
    const topology = buildTopology(readings.flatMap((r) => r.result.snapshots));
    expect(trace(topology, 'probe', 'sink', { size: seen.size }).verdict).toBe('delivered');
    expect(trace(topology, 'probe', 'sink').traceroute).toEqual(observedHops(file, 'traceroute -n 10.244.1.8'));
  });
});

describe('old flannel: a remote pod flanneld has not been asked about yet', () => {
  it('is not a drop: the /16 route has no gateway, so its neighbour is added on an l3miss', () => {
    const t = traceFiles(['flannel-docker0-l3miss/node03-session.txt'], 'guestbook-frontend-3823415956-8hw1v', '10.244.5.9');
    expect(t.verdict).toBe('insufficient-information');
    expect(t.reason).toMatch(/l3miss/);
    expect(t.traceroute).toEqual(['10.244.3.1', '?']);
  });
});

describe('Calico VXLAN CrossSubnet: what the trace assumed and where it went', () => {
  const files = ['calico-vxlan-crosssubnet-tmux/az1-node.txt', 'calico-vxlan-crosssubnet-tmux/az2-node.txt'];

  it('takes the tunnel across the uncaptured gateway to the other subnet and says it assumed so', () => {
    const t = traceFiles(files, 'toolbox-58c9d7b6f4-8zkq4', 'whoami-7d6c5b4a39-f2xwp');
    const encap = t.hops.find((h) => h.encap !== undefined)?.encap;
    expect(encap).toMatchObject({ type: 'vxlan', vni: 4096, outerSrc: '10.0.1.10', outerDst: '10.0.2.20', dstPort: 4789 });
    expect(t.warnings.some((w) => w.includes('through the gateway 10.0.1.1'))).toBe(true);
  });

  it('sends the same-subnet node its packet by eth0 without encapsulation', () => {
    const t = traceFiles(files, 'toolbox-58c9d7b6f4-8zkq4', 'demo/whoami-7d6c5b4a39-r8tnm');
    expect(t.exit).toMatchObject({ node: 'az1-node', interface: 'eth0', nextHop: '10.0.1.11', uncoveredNode: 'az1-node-b' });
    expect(t.hops.some((h) => h.encap !== undefined)).toBe(false);
  });
});

describe('where a packet leaving the evidence is headed', () => {
  it('names the destination pod\'s node from kubectl when no podCIDR of it is known (Calico BGP)', () => {
    const t = traceFiles(['calico-bgp-baremetal-bond/bm-01.txt', 'calico-bgp-baremetal-bond/bm-02.txt'], 'shop/cart-5f7d9c8b6-hq2vx', '172.20.200.70');
    expect(t.exit).toMatchObject({ node: 'bm-01', interface: 'bond0', nextHop: '10.40.1.13', uncoveredNode: 'bm-03' });
  });
});
