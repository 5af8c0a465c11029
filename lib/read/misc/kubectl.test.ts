import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseKubectlDescribeNode, parseKubectlGetNodes, parseKubectlGetPods, readKubectlJson } from './kubectl';

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

describe('kubectl parsers on arbitrary lines', () => {
  it('never throw', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { maxLength: 20 }), fc.integer({ min: 1, max: 1000 }), (lines, first) => {
        parseKubectlGetPods(lines, first);
        parseKubectlGetNodes(lines, first);
        parseKubectlDescribeNode(lines, first);
      }),
      { numRuns: 200 },
    );
  });
});
