import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateSnapshot } from '../snapshot/validate';
import type { NetnsSnapshot, Snapshot } from '../snapshot/schema';
import { readEvidence } from './readEvidence';
import type { ReadResult } from './types';

const fixture = (name: string): string => readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');

function only(r: ReadResult): Snapshot {
  expect(r.error).toBeUndefined();
  expect(r.snapshots).toHaveLength(1);
  return r.snapshots[0] as Snapshot;
}

function netns(s: Snapshot, name: string): NetnsSnapshot {
  const ns = s.namespaces.find((n) => n.name === name);
  expect(ns, `netns ${name}`).toBeDefined();
  return ns as NetnsSnapshot;
}

function link(ns: NetnsSnapshot, name: string) {
  const l = ns.links?.find((x) => x.name === name);
  expect(l, `link ${name} in ${ns.name}`).toBeDefined();
  return l as NonNullable<typeof l>;
}

describe('readEvidence on the pasted cni0 host-routes capture', () => {
  const r = readEvidence(fixture('cni0-host-routes-single-node.txt'), { fileName: 'cni0-host-routes-single-node.txt' });
  const s = only(r);
  const host = netns(s, 'host');
  const pod = netns(s, 'k8s_dev_signin-test-a-8bcd5db69-9z2c5');

  it('names the node after the NODE column of the captured pod', () => {
    expect(s.node.name).toBe('10.30.180.56');
    expect(s.node.addresses).toEqual(['10.30.180.56']);
    expect(s.collector).toEqual({ name: 'transcript', source: 'cni0-host-routes-single-node.txt' });
  });

  it('reads the pod from kubectl with its IP and node', () => {
    expect(s.kubernetes?.pods).toEqual([
      { namespace: 'dev', name: 'signin-test-a-8bcd5db69-9z2c5', ip: '172.22.0.253', node: '10.30.180.56', phase: 'Running', ready: true },
    ]);
  });

  it('puts kubectl exec output in the pod netns: eth0 ifindex 2 with peer ifindex 220', () => {
    expect(pod.kind).toBe('pod');
    expect(pod.pod).toEqual({ namespace: 'dev', name: 'signin-test-a-8bcd5db69-9z2c5' });
    const eth0 = link(pod, 'eth0');
    expect(eth0.ifindex).toBe(2);
    expect(eth0.peer?.ifindex).toBe(220);
    expect(pod.routes?.map((x) => x.dst)).toEqual(['0.0.0.0/0', '172.22.0.0/24', '172.22.0.0/16']);
    expect(pod.filtered).toBeUndefined();
  });

  it('reads host veth12acb4c1 as ifindex 220, @if2, link-netnsid 50, master cni0', () => {
    const veth = link(host, 'veth12acb4c1');
    expect(veth.ifindex).toBe(220);
    expect(veth.peer).toEqual({ ifindex: 2, netnsId: 50 });
    expect(veth.master).toBe('cni0');
  });

  it('makes the nine other veths of the lower_ listing ports of cni0 and marks host links partial', () => {
    const ports = (host.links ?? []).filter((l) => l.master === 'cni0').map((l) => l.name);
    expect(ports).toHaveLength(10);
    expect(ports.filter((p) => p !== 'veth12acb4c1')).toHaveLength(9);
    expect(host.filtered).toContain('links');
    const listing = r.used.find((u) => u.command.startsWith('ls -alht /sys/class/net/cni0/'));
    expect(listing?.summary).toMatch(/filtered/);
  });

  it('reads cni0 172.22.0.1/24 and the grep-filtered host routes, without inventing eth0', () => {
    expect(host.addresses?.filter((a) => a.family === 4)).toEqual([
      expect.objectContaining({ ifname: 'cni0', local: '172.22.0.1', prefixlen: 24 }),
    ]);
    expect(host.routes).toContainEqual(
      expect.objectContaining({ dst: '172.22.1.0/24', gateway: '10.30.180.55', dev: 'eth0', table: 'main' }),
    );
    expect(host.filtered).toEqual(expect.arrayContaining(['routes', 'addresses']));
    expect(host.addresses?.some((a) => a.ifname === 'eth0')).toBe(false);
    expect(host.links?.some((l) => l.name === 'eth0')).toBe(false);
  });

  it('uses every command, with its line range and context, and skips nothing', () => {
    expect(r.skipped).toEqual([]);
    expect(r.used.map((u) => [u.startLine, u.endLine, u.context])).toEqual([
      [1, 3, 'host'],
      [4, 8, 'pod dev/signin-test-a-8bcd5db69-9z2c5'],
      [9, 10, 'pod dev/signin-test-a-8bcd5db69-9z2c5'],
      [11, 12, 'host'],
      [13, 15, 'host'],
      [16, 17, 'host'],
      [18, 28, 'host'],
      [29, 32, 'pod dev/signin-test-a-8bcd5db69-9z2c5'],
      [33, 35, 'host'],
      [36, 42, 'host'],
      [43, 47, 'host'],
    ]);
  });
});

describe('readEvidence on a flannel VXLAN node transcript', () => {
  const s = only(readEvidence(fixture('flannel-vxlan-node.txt')));
  const host = netns(s, 'host');

  it('takes the node name from the prompt and podCIDR/annotations from kubectl describe node', () => {
    expect(s.node.name).toBe('k8s-node1');
    expect(s.node.podCidrs).toEqual(['10.244.1.0/24']);
    const node = s.kubernetes?.nodes?.[0];
    expect(node?.addresses).toEqual(['192.168.50.11']);
    // The terminal wrapped the VtepMAC; the annotation is joined back.
    expect(node?.annotations?.['flannel.alpha.coreos.com/backend-data']).toBe('{"VNI":1,"VtepMAC":"ce:f6:e7:25:44:39"}');
    expect(node?.annotations?.['flannel.alpha.coreos.com/public-ip']).toBe('192.168.50.11');
  });

  it('enriches flannel.1 from ip addr with the vxlan details of ip -d link', () => {
    const vtep = link(host, 'flannel.1');
    expect(vtep.kind).toBe('vxlan');
    expect(vtep.vxlan).toMatchObject({ id: 1, local: '192.168.50.11', dev: 'eth0', port: 8472 });
    expect(vtep.mtu).toBe(1450);
    expect(host.addresses).toContainEqual(expect.objectContaining({ ifname: 'flannel.1', local: '10.244.1.0', prefixlen: 32 }));
  });

  it('fills the dev that `show dev flannel.1` leaves out of fdb and neighbour lines', () => {
    expect(host.fdb).toContainEqual(expect.objectContaining({ mac: '6e:1f:9a:4b:22:01', dev: 'flannel.1', dst: '192.168.50.12' }));
    expect(host.neighbours).toContainEqual(expect.objectContaining({ dst: '10.244.2.0', dev: 'flannel.1', lladdr: '6e:1f:9a:4b:22:01' }));
    expect(host.filtered).toEqual(['neighbours', 'fdb', 'sysctls']);
  });

  it('reads bridge ports from brctl, the veth peer from ethtool, and sysctls', () => {
    expect(link(host, 'veth9f0e7c21').master).toBe('cni0');
    expect(link(host, 'cni0').kind).toBe('bridge');
    expect(link(host, 'veth3a9c41f2').peer).toEqual({ ifindex: 2, netnsId: 0 });
    expect(host.sysctls?.['net.ipv4.ip_forward']).toBe('1');
    expect(host.sysctls?.['net.ipv4.conf.flannel.1.rp_filter']).toBe('1');
    expect(s.node.addresses).toEqual(['192.168.50.11']);
  });
});

describe('readEvidence on interactive kubectl exec sessions', () => {
  const r = readEvidence(fixture('kubectl-exec-interactive.txt'));
  const s = only(r);

  it('runs the commands typed at `/ #` in the pod until exit', () => {
    const web = netns(s, 'k8s_default_web-7d9c8b6f5-x2kqp');
    expect(web.kind).toBe('pod');
    expect(link(web, 'eth0').peer?.ifindex).toBe(9);
    expect(web.addresses).toContainEqual(expect.objectContaining({ local: '10.244.2.7' }));
  });

  it('ends an old-form `kubectl exec POD bash` session when the host prompt reappears', () => {
    const api = netns(s, 'k8s_default_api-5f6d7c8b9-p4t2w');
    expect(api.routes).toHaveLength(2);
    const host = netns(s, 'host');
    expect(host.links?.map((l) => l.name)).toEqual(['lo', 'ens3', 'cni0', 'veth5c2d1e0a', 'veth7e4b3a9d']);
    expect(s.node.name).toBe('k8s-node2');
  });

  it('reads RESTARTS like `3 (2d ago)` and <none> IPs, in the default namespace when -n is absent', () => {
    const pods = s.kubernetes?.pods ?? [];
    expect(pods.every((p) => p.namespace === 'default')).toBe(true);
    expect(pods.find((p) => p.name === 'api-5f6d7c8b9-p4t2w')?.ip).toBe('10.244.2.9');
    const batch = pods.find((p) => p.name === 'batch-28374650-zq8vn');
    expect(batch?.ip).toBeUndefined();
    expect(batch?.phase).toBe('Succeeded');
  });

  it('skips the kubectl deprecation notice as prose', () => {
    expect(r.skipped).toEqual([expect.objectContaining({ startLine: 24, reason: expect.stringMatching(/prose/) })]);
  });
});

describe('readEvidence on ip netns exec transcripts', () => {
  const s = only(readEvidence(fixture('ip-netns-exec.txt')));

  it('upgrades a named netns to the pod whose IP it holds, and names the node after that pod', () => {
    const web = netns(s, 'cni-6f1d2a8e-93b4-4c1e-b7a0-2d5e8f3c9a11');
    expect(web.kind).toBe('pod');
    expect(web.pod).toEqual({ namespace: 'default', name: 'web-7d9c8b6f5-x2kqp' });
    expect(web.source).toBe('ip netns exec');
    expect(web.routes).toHaveLength(3);
    const dns = netns(s, 'cni-0b7e4d2c-1a9f-47e3-8c65-f4d2a1b9e307');
    expect(dns.pod?.name).toBe('coredns-5d78c9869d-8kqvn');
    expect(dns.filtered).toEqual(['links', 'addresses']);
    expect(s.node.name).toBe('k8s-node1');
  });

  it('keeps the host view of netns ids and link-netns names', () => {
    const host = netns(s, 'host');
    expect(host.netnsIds).toEqual([
      { nsid: 0, name: 'cni-6f1d2a8e-93b4-4c1e-b7a0-2d5e8f3c9a11' },
      { nsid: 1, name: 'cni-0b7e4d2c-1a9f-47e3-8c65-f4d2a1b9e307' },
    ]);
    expect(link(host, 'veth3a9c41f2').peer).toEqual({ ifindex: 2, netnsName: 'cni-6f1d2a8e-93b4-4c1e-b7a0-2d5e8f3c9a11' });
  });
});

describe('readEvidence on a web-mangled paste with prose', () => {
  const r = readEvidence(fixture('web-mangled-ip-addr.txt'), { fileName: '/tmp/worker-3.txt' });
  const s = only(r);

  it('reads ip addr without flags or indentation', () => {
    const host = netns(s, 'host');
    expect(host.links?.map((l) => l.name)).toEqual(['lo', 'ens192', 'docker0', 'flannel.1', 'cni0']);
    expect(host.links?.every((l) => l.flags === undefined)).toBe(true);
    expect(host.addresses).toContainEqual(expect.objectContaining({ ifname: 'ens192', local: '10.20.0.13', prefixlen: 24 }));
    expect(host.filtered).toEqual(['routes']);
    expect(s.node).toEqual({ name: 'worker-3', addresses: ['10.20.0.13'] });
  });

  it('skips prose lines with their line numbers, and does not mistake them for output', () => {
    expect(r.skipped.map((x) => [x.startLine, x.reason])).toEqual([
      [1, 'prose: text written between commands'],
      [25, 'prose: text written between commands'],
      [33, 'prose: text written between commands'],
    ]);
    expect(r.used.map((u) => [u.startLine, u.endLine])).toEqual([
      [3, 23],
      [27, 31],
    ]);
  });
});

describe('readEvidence on JSON commands inside a transcript', () => {
  const s = only(readEvidence(fixture('json-collector.txt'), { nodeName: 'k8s-node1' }));

  it('dispatches -j output (one-line and pretty) to the JSON readers', () => {
    expect(s.node.name).toBe('k8s-node1');
    const host = netns(s, 'host');
    expect(link(host, 'flannel.1').vxlan?.port).toBe(8472);
    expect(link(host, 'eth0').kind).toBe('device');
    expect(host.routes?.filter((x) => x.table === 'local')).toHaveLength(3);
    expect(host.filtered).toBeUndefined();
    const pod = netns(s, 'cni-6f1d2a8e-93b4-4c1e-b7a0-2d5e8f3c9a11');
    expect(pod.routes?.map((x) => x.dst)).toEqual(['0.0.0.0/0', '10.244.1.0/24']);
    expect(link(pod, 'eth0').peer).toEqual({ ifindex: 4, netnsId: 0 });
  });
});

describe('readEvidence on snapshot JSON', () => {
  const snap: Snapshot = {
    apiVersion: 'podnet.dev/v1',
    kind: 'NodeSnapshot',
    node: { name: 'n1' },
    collector: { name: 'synthetic' },
    namespaces: [{ name: 'host', kind: 'host', routes: [] }],
  };

  it('accepts one snapshot document and an array of them', () => {
    expect(only(readEvidence(JSON.stringify(snap))).node.name).toBe('n1');
    const r = readEvidence(JSON.stringify([snap, { ...snap, node: { name: 'n2' } }]));
    expect(r.snapshots.map((x) => x.node.name)).toEqual(['n1', 'n2']);
    expect(r.used[0]?.command).toBe('snapshot JSON');
  });

  it('names the offending field of an invalid snapshot', () => {
    const bad = { ...snap, namespaces: [{ name: 'host', kind: 'host', routes: [{ family: 4, table: 'main', type: 'unicast', dst: 'nope!' }] }] };
    const r = readEvidence(JSON.stringify(bad));
    expect(r.snapshots).toEqual([]);
    expect(r.error?.message).toContain('namespaces[0].routes[0].dst');
  });

  it('reports broken JSON with a line number', () => {
    const r = readEvidence('{\n  "apiVersion": "podnet.dev/v1",\n  oops\n}');
    expect(r.error?.message).toMatch(/not valid JSON/);
    expect(r.error?.line).toBe(3);
  });
});

describe('readEvidence on output pasted without its command', () => {
  it('recognises ip addr output and reads it as a possibly partial listing', () => {
    const r = readEvidence(
      [
        '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000',
        '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
        '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP group default qlen 1000',
        '    inet 192.168.50.11/24 brd 192.168.50.255 scope global eth0',
      ].join('\n'),
    );
    const s = only(r);
    expect(r.used).toEqual([expect.objectContaining({ startLine: 1, endLine: 4, command: expect.stringMatching(/^ip addr \(inferred/) })]);
    expect(netns(s, 'host').links?.map((l) => l.name)).toEqual(['lo', 'eth0']);
    expect(netns(s, 'host').filtered).toEqual(['links', 'addresses']);
  });
});

describe('readEvidence on input that holds no evidence', () => {
  it('returns an error for empty input', () => {
    expect(readEvidence('   \n\n').error?.message).toBe('the input is empty');
  });

  it('returns an error naming the first skipped line for prose only', () => {
    const r = readEvidence('hello there\nthis is not a transcript of anything');
    expect(r.snapshots).toEqual([]);
    expect(r.error?.line).toBe(1);
  });

  it('skips the output of unknown and unsupported commands with reasons', () => {
    const r = readEvidence('# ping -c1 10.0.0.1\nPING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.\n# ip route\ndefault via 10.0.0.1 dev eth0\n[root@n1 ~]# foo --bar\nbaz');
    expect(r.used).toHaveLength(1);
    expect(r.skipped.map((x) => [x.startLine, x.endLine])).toEqual([
      [1, 2],
      [5, 6],
    ]);
    expect(r.skipped[0]?.reason).toMatch(/ping/);
    expect(r.skipped[1]?.reason).toMatch(/unknown command/);
  });
});

const COMMAND_LINES = [
  'ip addr', 'ip a', '# ip route', '~ ip -d link show', 'ip route | grep eth0', '[root@n1 ~]# ip neigh',
  'root@n1:~# bridge fdb show', 'k get pods -o wide', 'kubectl exec -it p -- sh', '/ # exit', 'exit',
  'ip netns exec ns1 ip a', 'ip -n ns1 route', 'cat /sys/class/net/eth0/iflink', 'brctl show', 'sysctl -a | grep rp_filter',
  'ethtool -S eth0', 'ls -al /sys/class/net/cni0/', 'grep -l 3 /sys/class/net/*/ifindex', 'ip -j addr', 'nsenter -t 1 -n ip r',
  'kubectl describe node n1', 'ssh node2', 'docker exec -it c1 sh',
];
const OUTPUT_LINES = [
  '1: lo: <LOOPBACK,UP> mtu 65536 state UNKNOWN', '2: eth0@if9: <BROADCAST,UP> mtu 1500 master cni0', '    link/ether aa:bb:cc:dd:ee:ff brd ff:ff:ff:ff:ff:ff link-netnsid 0',
  '    inet 10.0.0.2/24 scope global eth0', 'default via 10.0.0.1 dev eth0', '10.244.0.0/16 via 10.244.0.1 dev cni0 onlink',
  '10.0.0.1 dev eth0 lladdr aa:bb:cc:dd:ee:ff REACHABLE', 'aa:bb:cc:dd:ee:ff dev vxlan0 dst 1.2.3.4 self permanent',
  'NAME READY STATUS RESTARTS AGE IP NODE', 'p1 1/1 Running 0 1d 10.0.0.9 n1', '9', 'peer_ifindex: 4', 'net.ipv4.ip_forward = 1',
  'lrwxrwxrwx 1 root root 0 Jan 1 00:00 master -> ../cni0', '/sys/class/net/veth1/ifindex', '[{"ifindex":1,"ifname":"lo"}]',
  'Name: n1', 'Annotations: a/b: {"x":', '  InternalIP: 10.0.0.1', 'cni0 8000.aabbccddeeff no veth1', '',
];

describe('readEvidence never fails on arbitrary input', () => {
  const check = (r: ReadResult): void => {
    expect(Array.isArray(r.snapshots)).toBe(true);
    for (const s of r.snapshots) expect(validateSnapshot(s).ok).toBe(true);
    if (r.snapshots.length === 0) expect(r.error).toBeDefined();
    for (const b of [...r.used, ...r.skipped]) expect(b.startLine).toBeLessThanOrEqual(b.endLine);
  };

  it('returns a valid ReadResult for arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => check(readEvidence(s))), { numRuns: 300 });
  });

  it('returns valid snapshots for arbitrary mixes of command lines, output lines and junk', () => {
    const line = fc.oneof(fc.constantFrom(...COMMAND_LINES), fc.constantFrom(...OUTPUT_LINES), fc.string({ maxLength: 60 }));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), (lines, fileName) => {
        const opts = fileName === undefined ? {} : { fileName };
        check(readEvidence(lines.join('\n'), opts));
      }),
      { numRuns: 400 },
    );
  });
});

describe('readEvidence on a paste that starts on another machine', () => {
  const paste = [
    'PS C:\\Users\\ops> ssh ubuntu@10.20.0.21',
    'Welcome to Ubuntu 22.04.3 LTS (GNU/Linux 5.15.0-88-generic x86_64)',
    'ubuntu@wk-1:~$ ip -4 a',
    '2: ens18: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000',
    '    inet 10.20.0.21/24 brd 10.20.0.255 scope global ens18',
    '       valid_lft forever preferred_lft forever',
    'ubuntu@wk-1:~$ exit',
    'logout',
    'Connection to 10.20.0.21 closed.',
    'PS C:\\Users\\ops>',
  ].join('\r\n');

  it('is about the ssh host alone: the PowerShell machine where nothing was read is no node', () => {
    const r = readEvidence(paste, { fileName: 'wk-1.txt' });
    expect(r.snapshots.map((s) => s.node.name)).toEqual(['10.20.0.21']);
  });

  it('takes NODE=FILE as the name of that one node', () => {
    const r = readEvidence(paste, { fileName: 'wk-1.txt', nodeName: 'wk-1' });
    expect(r.snapshots.map((s) => s.node.name)).toEqual(['wk-1']);
  });
});
