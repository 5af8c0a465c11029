import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBrctlShow } from './brctl';
import { parseBridgeLinkText, readBridgeLinkJson } from './bridgeLink';
import { parseEthtoolStats } from './ethtool';
import { parseKubectlDescribeNode, parseKubectlGetNodes, parseKubectlGetPods, readKubectlJson } from './kubectl';
import { parseProcSysValue, parseSysctl } from './sysctl';
import { parseSysfsGrepList, parseSysfsGrepValues, parseSysfsListing, parseSysfsNumber } from './sysfs';

describe('parseBrctlShow', () => {
  it('reads bridges with ports on continuation lines, tabs or not', () => {
    const out = parseBrctlShow(
      [
        'bridge name\tbridge id\t\tSTP enabled\tinterfaces',
        'cni0\t\t8000.3e4cce396e97\tno\t\tveth3a9c41f2',
        '\t\t\t\t\t\t\tveth9f0e7c21',
        'veth11111111',
        'docker0\t\t8000.0242ac110001\tyes',
      ],
      10,
    );
    expect(out.items).toEqual([
      { name: 'cni0', bridgeId: '8000.3e4cce396e97', stp: false, interfaces: ['veth3a9c41f2', 'veth9f0e7c21', 'veth11111111'] },
      { name: 'docker0', bridgeId: '8000.0242ac110001', stp: true, interfaces: [] },
    ]);
    expect(out.skipped).toEqual([]);
  });

  it('skips lines that are not rows, with their line number', () => {
    const out = parseBrctlShow(['some words here'], 7);
    expect(out.skipped[0]).toMatchObject({ startLine: 7, endLine: 7 });
  });
});

describe('parseKubectlGetPods', () => {
  it('reads the new wide column set with NAMESPACE, NOMINATED NODE and READINESS GATES', () => {
    const out = parseKubectlGetPods(
      [
        'NAMESPACE     NAME                     READY   STATUS             RESTARTS       AGE   IP            NODE     NOMINATED NODE   READINESS GATES',
        'kube-system   coredns-5d78c9869d-8kqvn 1/1     Running            0              12d   10.244.0.2    node-a   <none>           <none>',
        'default       api-5f6d7c8b9-p4t2w      0/1     CrashLoopBackOff   12 (3m ago)    1d    10.244.1.9    node-b   <none>           <none>',
        'default       pending-7d9c8b6f5-zzzzz  0/1     Pending            0              1m    <none>        <none>   <none>           <none>',
      ],
      1,
    );
    expect(out.items).toEqual([
      { namespace: 'kube-system', name: 'coredns-5d78c9869d-8kqvn', phase: 'Running', ready: true, ip: '10.244.0.2', node: 'node-a' },
      { namespace: 'default', name: 'api-5f6d7c8b9-p4t2w', ready: false, ip: '10.244.1.9', node: 'node-b' },
      { namespace: 'default', name: 'pending-7d9c8b6f5-zzzzz', phase: 'Pending', ready: false },
    ]);
  });

  it('reads the old column set and the -n namespace, and names only without -o wide', () => {
    const wide = parseKubectlGetPods(['NAME READY STATUS RESTARTS AGE IP NODE', 'web-1 1/1 Running 0 1d 10.1.0.5 n1'], 1, { namespace: 'dev' });
    expect(wide.items).toEqual([{ namespace: 'dev', name: 'web-1', phase: 'Running', ready: true, ip: '10.1.0.5', node: 'n1' }]);
    const plain = parseKubectlGetPods(['NAME    READY   STATUS    RESTARTS   AGE', 'web-1   2/2     Running   0          6d3h'], 1);
    expect(plain.items).toEqual([{ name: 'web-1', phase: 'Running', ready: true }]);
  });

  it('skips rows before a header', () => {
    expect(parseKubectlGetPods(['web-1 1/1 Running 0 1d'], 4).skipped[0]?.startLine).toBe(4);
  });
});

describe('parseKubectlGetNodes', () => {
  it('reads INTERNAL-IP even though OS-IMAGE holds spaces', () => {
    const out = parseKubectlGetNodes(
      [
        'NAME        STATUS   ROLES           AGE   VERSION   INTERNAL-IP     EXTERNAL-IP   OS-IMAGE             KERNEL-VERSION      CONTAINER-RUNTIME',
        'k8s-node1   Ready    control-plane   12d   v1.28.2   192.168.50.11   <none>        Ubuntu 22.04.3 LTS   5.15.0-88-generic   containerd://1.6.24',
      ],
      1,
    );
    expect(out.items).toEqual([{ name: 'k8s-node1', addresses: ['192.168.50.11'] }]);
  });
});

describe('parseKubectlDescribeNode', () => {
  it('reads addresses, pod CIDRs and Calico annotations of several nodes', () => {
    const out = parseKubectlDescribeNode(
      [
        'Name:               node-a',
        'Annotations:        projectcalico.org/IPv4Address: 192.168.50.11/24',
        '                    projectcalico.org/IPv4IPIPTunnelAddr: 10.244.7.64',
        'Addresses:',
        '  InternalIP:  192.168.50.11',
        '  Hostname:    node-a',
        'PodCIDR:                      10.244.7.0/24',
        'PodCIDRs:                     10.244.7.0/24,fd00:7::/64',
        '',
        'Name:               node-b',
        'Annotations:        <none>',
      ],
      1,
    );
    expect(out.items).toEqual([
      {
        name: 'node-a',
        annotations: { 'projectcalico.org/IPv4Address': '192.168.50.11/24', 'projectcalico.org/IPv4IPIPTunnelAddr': '10.244.7.64' },
        addresses: ['192.168.50.11'],
        podCidrs: ['10.244.7.0/24', 'fd00:7::/64'],
      },
      { name: 'node-b' },
    ]);
  });
});

describe('readKubectlJson', () => {
  it('reads pods and nodes of a List', () => {
    const out = readKubectlJson({
      kind: 'List',
      items: [
        { kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { nodeName: 'n1' }, status: { podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }], phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
        { kind: 'Node', metadata: { name: 'n1', annotations: { a: 'b' } }, spec: { podCIDR: '10.0.0.0/24' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.1.1' }, { type: 'Hostname', address: 'n1' }] } },
        { kind: 'Service', metadata: { name: 's' } },
      ],
    });
    expect(out.items[0]).toEqual({
      pods: [{ name: 'p', namespace: 'ns', uid: 'u1', ip: '10.0.0.5', ips: ['10.0.0.5'], node: 'n1', phase: 'Running', ready: true }],
      nodes: [{ name: 'n1', addresses: ['192.168.1.1'], podCidrs: ['10.0.0.0/24'], annotations: { a: 'b' } }],
    });
  });

  it('warns on JSON without pods or nodes and never throws', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => void readKubectlJson(v)));
    expect(readKubectlJson(42).warnings).toHaveLength(1);
  });
});

describe('sysfs parsers', () => {
  it('reads one number from iflink and refuses several', () => {
    expect(parseSysfsNumber(['220'], 10, 'iflink').items).toEqual([220]);
    expect(parseSysfsNumber(['1', '2'], 10, 'iflink').skipped).toHaveLength(2);
  });

  it('reads interface names from grep -l paths and path:value pairs', () => {
    expect(parseSysfsGrepList(['/sys/class/net/veth12acb4c1/ifindex'], 1, 'ifindex').items).toEqual(['veth12acb4c1']);
    expect(parseSysfsGrepValues(['/sys/class/net/eth0/iflink:6', '/sys/class/net/lo/iflink:1'], 1, 'iflink').items).toEqual([
      { ifname: 'eth0', value: '6' },
      { ifname: 'lo', value: '1' },
    ]);
  });

  it('reads master, lower_ and bridge entries from ls -l with any date format', () => {
    const out = parseSysfsListing(
      [
        'total 0',
        'lrwxrwxrwx.   1 root root    0 12 月  5 21:49 master -> ../cni0',
        'lrwxrwxrwx 1 root root 0 Nov 23 11:18 lower_veth0c9a5076 -> ../veth0c9a5076',
        'lrwxrwxrwx 1 root root 0 Nov 23 11:18 upper_cni0 -> ../cni0',
        'drwxr-xr-x 2 root root 0 Nov 23 11:18 brif',
        '-r--r--r-- 1 root root 4096 Nov 23 11:18 iflink',
      ],
      1,
      { ifname: 'x', brif: false },
    );
    expect(out.items).toEqual([
      { kind: 'master', master: 'cni0' },
      { kind: 'lower', name: 'veth0c9a5076' },
      { kind: 'upper', name: 'cni0' },
      { kind: 'is-bridge' },
    ]);
  });

  it('reads brif ports and the device list of /sys/class/net', () => {
    expect(parseSysfsListing(['lrwxrwxrwx 1 root root 0 Nov 23 11:18 veth1 -> ../../veth1/brport'], 1, { ifname: 'cni0', brif: true }).items).toEqual([
      { kind: 'port', name: 'veth1' },
    ]);
    expect(parseSysfsListing(['cni0  eth0  lo'], 1, { brif: false }).items.map((f) => f.kind === 'device' && f.name)).toEqual(['cni0', 'eth0', 'lo']);
    const long = parseSysfsListing(['lrwxrwxrwx 1 root root 0 Nov 23 11:18 eth0 -> ../../devices/pci0000:00/0000:00:03.0/net/eth0'], 1, { brif: false });
    expect(long.items).toEqual([{ kind: 'device', name: 'eth0', virtual: false }]);
  });
});

describe('parseEthtoolStats', () => {
  it('reads peer_ifindex of a veth', () => {
    const out = parseEthtoolStats(['NIC statistics:', '     peer_ifindex: 6', '     rx_queue_0_xdp_packets: 0'], 1);
    expect(out.items).toEqual([{ peerIfindex: 6, counters: 2 }]);
  });

  it('reports "no stats available" as a warning', () => {
    const out = parseEthtoolStats(['no stats available'], 3);
    expect(out.items).toEqual([]);
    expect(out.warnings[0]?.line).toBe(3);
  });
});

describe('sysctl parsers', () => {
  it('reads key = value lines and -n values in key order', () => {
    expect(parseSysctl(['net.ipv4.ip_forward = 1', 'sysctl: cannot stat /proc/sys/x'], 1).items).toEqual([{ key: 'net.ipv4.ip_forward', value: '1' }]);
    expect(parseSysctl(['1', '0'], 1, { keys: ['net.ipv4.ip_forward', 'net.ipv4.conf.all.rp_filter'], valuesOnly: true }).items).toEqual([
      { key: 'net.ipv4.ip_forward', value: '1' },
      { key: 'net.ipv4.conf.all.rp_filter', value: '0' },
    ]);
  });

  it('reads one value from /proc/sys', () => {
    expect(parseProcSysValue(['1'], 5, 'net.ipv4.ip_forward').items).toEqual([{ key: 'net.ipv4.ip_forward', value: '1' }]);
  });
});

describe('bridge link parsers', () => {
  it('keeps @ifN as the peer but not a same-namespace name like @ifb0', () => {
    const out = parseBridgeLinkText(
      [
        '5: veth1@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 master cni0 state forwarding priority 32 cost 2',
        '6: e2test-v0@ifb0: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 master e2test-br0 state forwarding priority 32 cost 2 ',
      ],
      1,
    );
    expect(out.items).toEqual([
      { name: 'veth1', ifindex: 5, peer: { ifindex: 4 }, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1450, master: 'cni0' },
      { name: 'e2test-v0', ifindex: 6, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP', 'M-DOWN'], mtu: 1500, master: 'e2test-br0' },
    ]);
    expect(readBridgeLinkJson([{ ifindex: 5, ifname: 'veth1', master: 'cni0', mtu: 1450 }]).items).toEqual([
      { name: 'veth1', ifindex: 5, master: 'cni0', mtu: 1450 },
    ]);
  });
});

describe('misc parsers never throw', () => {
  it('accept arbitrary lines', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { maxLength: 20 }), fc.integer({ min: 1, max: 1000 }), (lines, first) => {
        parseBrctlShow(lines, first);
        parseKubectlGetPods(lines, first);
        parseKubectlGetNodes(lines, first);
        parseKubectlDescribeNode(lines, first);
        parseEthtoolStats(lines, first);
        parseSysctl(lines, first);
        parseSysfsListing(lines, first, { ifname: 'x', brif: false });
        parseSysfsGrepList(lines, first, 'ifindex');
        parseBridgeLinkText(lines, first);
      }),
      { numRuns: 300 },
    );
  });
});
