import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEvidence } from '../read/readEvidence';
import { buildTopology } from '../topology/build';
import { formatInspect } from './inspectText';

const FILE = path.join(__dirname, '..', '..', 'e2e', 'fixtures', 'realworld', 'flannel-vxlan-vagrant-putty', 'k8s-worker1.txt');

describe('formatInspect', () => {
  it('lists a netns pasted without kubectl facts with its address, so a user can trace from it', () => {
    const result = readEvidence(readFileSync(FILE, 'utf8'), { fileName: 'k8s-worker1.txt' });
    const text = formatInspect([{ file: 'k8s-worker1.txt', result }], buildTopology(result.snapshots));
    expect(text).toContain('pods (0):');
    expect(text).toContain('namespaces without a pod name (1; trace from them as NODE/NETNS or by address):\n  k8s-worker1/cni-8e3f41a2-6c0d-95b7-d213-7a4e0c6f5b98  10.244.1.5\n');
    expect(text).not.toContain('services (');
  });

  it('lists the Services and kube-proxy rules read, and how to trace to them', () => {
    const file = path.join(__dirname, '..', '..', 'e2e', 'fixtures', 'realworld', 'kube-dns-clusterip-flannel', 'ip-10-0-1-23.txt');
    const result = readEvidence(readFileSync(file, 'utf8'), { fileName: 'ip-10-0-1-23.txt' });
    const text = formatInspect([{ file: 'ip-10-0-1-23.txt', result }], buildTopology(result.snapshots));
    expect(text).toContain('services (4; trace to one as --to IP:PORT or --to svc/NAMESPACE/NAME[:PORT]):\n');
    expect(text).toContain('  kube-system/kube-dns  ClusterIP  10.96.0.10  53/UDP,53/TCP,9153/TCP\n');
    expect(text).toContain('  shop/redis  NodePort  10.103.52.18  6379:31379/TCP\n');
    expect(text).toMatch(/ {2}kube-proxy on ip-10-0-1-23: 42 nat and 3 filter rules, iptables mode/);
  });
});
