/**
 * Reader behaviour on the real-world transcripts of e2e/fixtures/realworld:
 * the shapes people paste that the first fixtures did not have.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NetnsSnapshot, Snapshot } from '../snapshot/schema';
import { readEvidence } from './readEvidence';
import type { ReadResult } from './types';

const root = path.join(__dirname, '..', '..', 'e2e', 'fixtures', 'realworld');
const read = (rel: string, nodeName?: string): ReadResult =>
  readEvidence(readFileSync(path.join(root, rel), 'utf8'), { fileName: path.basename(rel), ...(nodeName !== undefined ? { nodeName } : {}) });

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

describe('CentOS 7 node with old iproute2 and flannel subnet.env', () => {
  const r = read('flannel-vxlan-centos7/k8s-node01.txt');
  const s = only(r);

  it('takes the podCIDR from FLANNEL_SUBNET, so the idle docker0 subnet is not mistaken for one', () => {
    expect(s.node.podCidrs).toEqual(['10.244.1.0/24']);
    expect(r.used.find((u) => u.command === 'cat /run/flannel/subnet.env')?.summary).toBe('podCIDR 10.244.1.0/24, network 10.244.0.0/16, MTU 1450');
  });

  it('reads the pre-4.x vxlan detail line and veths without link-netnsid', () => {
    const host = netns(s, 'host');
    expect(host.links?.find((l) => l.name === 'flannel.1')?.vxlan).toEqual({ id: 1, local: '192.168.1.21', dev: 'eth0', port: 8472, learning: false });
    expect(host.links?.find((l) => l.name === 'veth3a7c1e52')?.peer).toEqual({ ifindex: 3 });
  });

  it('upgrades the nsenter netns holding a kubectl pod IP to that pod', () => {
    expect(netns(s, 'nsenter-23871').pod).toEqual({ namespace: 'default', name: 'nginx-deployment-66b6c48dd5-4jtqd' });
  });
});

describe('Ubuntu 22.04 node pasted with sudo, ip -c and sudo -i', () => {
  const r = read('flannel-vxlan-ubuntu2204/ip-10-0-1-23.txt');
  const s = only(r);

  it('treats sudo -i as a shell on the same machine, not an unknown command', () => {
    expect(r.skipped.some((b) => b.text === 'sudo -i')).toBe(false);
    expect(s.node.name).toBe('ip-10-0-1-23');
  });

  it('keeps link-local IPv6 out of the node addresses even after ip -br a, which prints no scope', () => {
    expect(s.node.addresses).toEqual(['10.0.1.23']);
    const fe80 = netns(s, 'host').addresses?.find((a) => a.local === 'fe80::1f:6aff:fe3b:7c8d');
    expect(fe80?.scope).toBe('link');
  });

  it('says why traceroute, crictl and ip route get were not read', () => {
    const reasons = r.skipped.map((b) => b.reason).join('\n');
    expect(reasons).toMatch(/ip route get/);
    expect(reasons).toMatch(/crictl pods output is not read/);
  });
});

describe('host-gw nodes pasted with net-tools', () => {
  it('reads ifconfig (both formats), arp -an and route -n into links, addresses, neighbours and routes', () => {
    const s = only(read('host-gw-nettools/worker-a.log'));
    const host = netns(s, 'host');
    expect(host.links?.find((l) => l.name === 'eth0')).toMatchObject({ mtu: 1500, mac: '52:54:00:12:34:11', operState: 'UP' });
    expect(host.addresses?.filter((a) => a.family === 4).map((a) => `${a.ifname} ${a.local}/${a.prefixlen}`)).toEqual([
      'cni0 10.244.0.1/24',
      'docker0 172.17.0.1/16',
      'eth0 10.30.0.11/24',
      'lo 127.0.0.1/8',
    ]);
    expect(host.neighbours).toContainEqual({ dst: '10.30.0.12', dev: 'eth0', lladdr: '52:54:00:12:34:12' });
    const pod = netns(s, 'k8s_web_api-6c9b8d7f5-r2kq9');
    expect(pod.addresses?.find((a) => a.ifname === 'eth0')).toMatchObject({ local: '10.244.0.12', prefixlen: 24 });
    expect(pod.links?.find((l) => l.name === 'eth0')).toMatchObject({ mac: '3a:9f:0c:11:7e:42', peer: { ifindex: 7 } });
  });

  it('recognises the bitnami "I have no name!@pod" prompt as the pod shell', () => {
    const r = read('host-gw-nettools/worker-b.log');
    const s = only(r);
    const pod = netns(s, 'k8s_web_postgres-0');
    expect(pod.links?.find((l) => l.name === 'eth0')).toMatchObject({ mac: '8e:20:c4:5a:61:0f', peer: { ifindex: 11 } });
    expect(s.node.name).toBe('worker-b');
  });
});

describe('Calico IPIP node pasted from zsh with CRLF line endings', () => {
  const r = read('calico-ipip-kubespray/node1.txt');
  const s = only(r);

  it('names the node after the captured pod, since the zsh prompt names no host', () => {
    expect(s.node.name).toBe('node1');
  });

  it('skips calicoctl output with a reason and reads the tunnel and bird routes', () => {
    expect(r.skipped.filter((b) => b.reason.startsWith('calicoctl output is not read'))).toHaveLength(2);
    const host = netns(s, 'host');
    expect(host.routes?.find((rt) => rt.dst === '10.233.75.0/26')).toMatchObject({ gateway: '10.0.0.12', dev: 'tunl0', protocol: 'bird' });
    expect(s.node.podCidrs).toEqual(['10.233.102.128/26']);
  });

  it('keeps Calico blocks beside the Kubernetes PodCIDR that Calico ignores', () => {
    const s2 = only(read('calico-ipip-kubespray/node2.txt'));
    expect(s2.node.podCidrs).toEqual(['10.233.65.0/24', '10.233.75.0/26']);
  });
});
