import { describe, it, expect } from 'vitest';
import { readEvidence } from './readEvidence';
import { reconcileReadings } from './reconcile';

const nodeFile = `[ec2-user@ip-172-31-5-10 ~]$ ip a
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc mq state UP group default qlen 1000
    link/ether 0a:4f:91:2c:7e:01 brd ff:ff:ff:ff:ff:ff
    inet 172.31.5.10/20 brd 172.31.15.255 scope global dynamic eth0
       valid_lft 2711sec preferred_lft 2711sec
[ec2-user@ip-172-31-5-10 ~]$ ip route
default via 172.31.0.1 dev eth0
172.31.0.0/20 dev eth0 proto kernel scope link src 172.31.5.10
[ec2-user@ip-172-31-5-10 ~]$ sudo ip netns exec cni-9e8d ip a
3: eth0@if14: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 8951 qdisc noqueue state UP group default
    link/ether a6:31:0f:7c:d2:58 brd ff:ff:ff:ff:ff:ff link-netnsid 0
    inet 192.168.120.70/32 scope global eth0
`;

const kubectlFile = `$ kubectl get pods -A -o wide
NAMESPACE   NAME                  READY   STATUS    RESTARTS   AGE   IP               NODE                                        NOMINATED NODE   READINESS GATES
payments    api-7f6d5c4b3-8hj2k   1/1     Running   0          2d    192.168.120.70   ip-172-31-5-10.eu-west-1.compute.internal   <none>           <none>
`;

describe('reconcileReadings', () => {
  it('renames a node read under its short host name to its Kubernetes FQDN and files the cni netns under the pod, across files', () => {
    const node = { result: readEvidence(nodeFile, { fileName: 'a.txt' }) };
    const kubectl = { result: readEvidence(kubectlFile, { fileName: 'laptop.txt' }) };
    expect(node.result.snapshots[0]?.node.name).toBe('ip-172-31-5-10');
    reconcileReadings([kubectl, node]);
    const s = node.result.snapshots[0];
    expect(s?.node.name).toBe('ip-172-31-5-10.eu-west-1.compute.internal');
    expect(s?.namespaces.find((n) => n.name === 'cni-9e8d')).toMatchObject({ kind: 'pod', pod: { namespace: 'payments', name: 'api-7f6d5c4b3-8hj2k' } });
    expect(node.result.warnings.map((w) => w.message).join('\n')).toMatch(/short host name/);
  });

  it('keeps a name the user forced with NODE=FILE', () => {
    const node = { result: readEvidence(nodeFile, { nodeName: 'a' }), nodeName: 'a' };
    const kubectl = { result: readEvidence(kubectlFile) };
    reconcileReadings([kubectl, node]);
    expect(node.result.snapshots[0]?.node.name).toBe('a');
  });

  it('renames by address when the host name says nothing (file-named node)', () => {
    const nodes = `$ kubectl get nodes -o wide
NAME       STATUS   ROLES    AGE   VERSION   INTERNAL-IP   EXTERNAL-IP   OS-IMAGE   KERNEL-VERSION   CONTAINER-RUNTIME
worker-a   Ready    <none>   9d    v1.29.0   172.31.5.10   <none>        Ubuntu     6.2              containerd://1.7
`;
    const node = { result: readEvidence(nodeFile.replace(/\[ec2-user@ip-172-31-5-10 ~\]\$/g, '$'), { fileName: 'first.log' }) };
    expect(node.result.snapshots[0]?.node.name).toBe('first');
    reconcileReadings([{ result: readEvidence(nodes) }, node]);
    expect(node.result.snapshots[0]?.node.name).toBe('worker-a');
  });
});
