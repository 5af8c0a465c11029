import { describe, expect, it } from 'vitest';
import type { V1Node, V1Pod, V1PodList } from '@kubernetes/client-node';
import type { NetnsSnapshot, Snapshot } from '../lib/snapshot/schema';
import { validateSnapshot } from '../lib/snapshot/validate';
import { buildTopology } from '../lib/topology/build';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyKubeFacts, fetchKubeFacts, inClusterApi, k8sNodeOf, k8sPodOf, reusingReader, slimNode, slimPod, type KubeApi } from './kube';
import { netnsNameIdentity } from './podIdentity';

function podNetns(name: string, ip: string): NetnsSnapshot {
  return {
    name,
    kind: 'pod',
    links: [{ ifindex: 3, name: 'eth0', kind: 'veth', operState: 'UP', mtu: 1450, peer: { ifindex: 7, netnsId: 0 } }],
    addresses: [
      { ifname: 'lo', family: 4, local: '127.0.0.1', prefixlen: 8, scope: 'host' },
      { ifname: 'eth0', family: 4, local: ip, prefixlen: 24, scope: 'global' },
    ],
  };
}

function snapshot(): Snapshot {
  return {
    apiVersion: 'podnet.dev/v1',
    kind: 'NodeSnapshot',
    node: { name: 'node1', addresses: ['192.168.50.11'] },
    collector: { name: 'podnet-collector' },
    namespaces: [
      { name: 'host', kind: 'host', addresses: [{ ifname: 'eth0', family: 4, local: '192.168.50.11', prefixlen: 24, scope: 'global' }] },
      podNetns('cni-1111', '10.244.1.2'),
      podNetns('cni-2222', '10.244.1.3'),
      podNetns('cni-3333', '10.244.1.9'),
    ],
  };
}

const pod = (ns: string, name: string, ip: string, extra: Partial<V1Pod['spec']> = {}): V1Pod => ({
  metadata: { namespace: ns, name, uid: `uid-${name}` },
  spec: { nodeName: 'node1', containers: [], ...extra },
  status: { podIP: ip, podIPs: [{ ip }], phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
});

const NODE: V1Node = {
  metadata: {
    name: 'node1',
    annotations: {
      'flannel.alpha.coreos.com/backend-data': '{"VNI":1,"VtepMAC":"6a:1f:00:00:00:01"}',
      'flannel.alpha.coreos.com/public-ip': '192.168.50.11',
      'kubectl.kubernetes.io/last-applied-configuration': '{"huge":"blob"}',
    },
  },
  spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
  status: { addresses: [{ type: 'InternalIP', address: '192.168.50.11' }, { type: 'Hostname', address: 'node1' }] },
};

/** The two CoreV1Api calls, answered from literals; records what was asked. */
function fakeApi(pods: V1Pod[], opts: { failPods?: boolean } = {}): KubeApi & { asked: string[] } {
  const asked: string[] = [];
  const api = {
    asked,
    listPodForAllNamespaces: async (param?: { fieldSelector?: string; resourceVersion?: string }): Promise<V1PodList> => {
      asked.push(`pods ${param?.fieldSelector ?? ''} rv=${param?.resourceVersion ?? '(none)'}`);
      if (opts.failPods) throw Object.assign(new Error('Forbidden'), { code: 403 });
      const node = /^spec\.nodeName=(.*)$/.exec(param?.fieldSelector ?? '')?.[1];
      return { items: pods.filter((p) => node === undefined || p.spec?.nodeName === node) };
    },
    readNode: async (param: { name: string }): Promise<V1Node> => {
      asked.push(`node ${param.name}`);
      return NODE;
    },
  };
  return api as unknown as KubeApi & { asked: string[] };
}

describe('pod identity from the Kubernetes API', () => {
  const pods = [
    pod('default', 'web-a', '10.244.1.2'),
    pod('shop', 'cart-0', '10.244.1.3'),
    pod('kube-system', 'kube-proxy-x', '192.168.50.11', { hostNetwork: true }),
    { ...pod('default', 'elsewhere', '10.244.2.5'), spec: { nodeName: 'node2', containers: [] } },
  ];

  it('asks only for the pods whose spec.nodeName is this node, and for this node', async () => {
    const api = fakeApi(pods);
    const facts = await fetchKubeFacts(api, 'node1');
    expect(api.asked).toEqual(['pods spec.nodeName=node1 rv=0', 'node node1']);
    expect(facts.pods.map((p) => p.name)).toEqual(['web-a', 'cart-0', 'kube-proxy-x']);
  });

  it('names each pod netns after the pod whose IP it holds, with namespace and uid', async () => {
    const facts = await fetchKubeFacts(fakeApi(pods), 'node1');
    const { snapshot: out, warnings } = applyKubeFacts(snapshot(), facts);
    expect(out.namespaces.map((n) => [n.name, n.pod])).toEqual([
      ['host', undefined],
      ['cni-1111', { namespace: 'default', name: 'web-a', uid: 'uid-web-a' }],
      ['cni-2222', { namespace: 'shop', name: 'cart-0', uid: 'uid-cart-0' }],
      ['cni-3333', undefined],
    ]);
    expect(warnings).toEqual(['netns cni-3333: no pod on this node has its addresses (10.244.1.9)']);
    expect(validateSnapshot(out).ok).toBe(true);
  });

  it('records hostNetwork pods as sharing the host netns instead of matching them to a pod netns by the node IP', async () => {
    const snap = snapshot();
    // A pod netns that (wrongly) holds the node IP must not be taken for the hostNetwork pod.
    snap.namespaces.push(podNetns('cni-4444', '192.168.50.11'));
    const { snapshot: out } = applyKubeFacts(snap, await fetchKubeFacts(fakeApi(pods), 'node1'));
    expect(out.kubernetes?.pods).toContainEqual(expect.objectContaining({ namespace: 'kube-system', name: 'kube-proxy-x', hostNetwork: true, ip: '192.168.50.11' }));
    expect(out.namespaces.find((n) => n.name === 'cni-4444')?.pod).toBeUndefined();
    const topo = buildTopology([out]);
    const proxy = topo.pods.find((p) => p.name === 'kube-proxy-x');
    expect(proxy?.hostNetwork).toBe(true);
    expect(proxy?.netns).toBe('node1/host');
  });

  it('keeps the node’s addresses, podCIDRs and CNI annotations, not unrelated ones', async () => {
    const { snapshot: out } = applyKubeFacts(snapshot(), await fetchKubeFacts(fakeApi(pods), 'node1'));
    expect(out.kubernetes?.nodes).toEqual([
      {
        name: 'node1',
        addresses: ['192.168.50.11'],
        podCidrs: ['10.244.1.0/24'],
        annotations: {
          'flannel.alpha.coreos.com/backend-data': '{"VNI":1,"VtepMAC":"6a:1f:00:00:00:01"}',
          'flannel.alpha.coreos.com/public-ip': '192.168.50.11',
        },
      },
    ]);
    expect(out.node.podCidrs).toEqual(['10.244.1.0/24']);
    expect(out.kubernetes?.pods?.find((p) => p.name === 'web-a')).toEqual({
      name: 'web-a',
      namespace: 'default',
      uid: 'uid-web-a',
      node: 'node1',
      ip: '10.244.1.2',
      ips: ['10.244.1.2'],
      phase: 'Running',
      ready: true,
    });
  });

  it('turns an API refusal into a warning and keeps the netns-name identities', async () => {
    const snap = snapshot();
    snap.namespaces[1] = { ...snap.namespaces[1]!, pod: { namespace: 'default', name: 'from-name' } };
    const { snapshot: out, warnings } = applyKubeFacts(snap, await fetchKubeFacts(fakeApi(pods, { failPods: true }), 'node1'));
    expect(warnings[0]).toBe('kubernetes: listing the pods of node node1 failed: HTTP 403');
    expect(out.namespaces[1]?.pod).toEqual({ namespace: 'default', name: 'from-name' });
    expect(out.kubernetes?.nodes?.[0]?.name).toBe('node1');
  });
});

describe('in-cluster reads', () => {
  const pods = [
    pod('default', 'web-a', '10.244.1.2'),
    pod('kube-system', 'kube-proxy-x', '192.168.50.11', { hostNetwork: true }),
    { ...pod('shop', 'cart-0', '10.244.1.3'), status: { podIP: '10.244.1.3', podIPs: [{ ip: '10.244.1.3' }, { ip: 'fd00::3' }], phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False' }] } },
  ];

  it('keeps of a pod and a node exactly what k8sPodOf and k8sNodeOf read', () => {
    for (const p of pods) expect(k8sPodOf(slimPod(p), 'node1')).toEqual(k8sPodOf(p, 'node1'));
    expect(k8sNodeOf(slimNode(NODE), 'node1')).toEqual(k8sNodeOf(NODE, 'node1'));
  });

  it('parses a body again only when the bytes after `from` changed', () => {
    let parses = 0;
    const read = reusingReader((v) => {
      parses++;
      return v as { items: unknown[] };
    }, '"items":');
    const body = (rv: string, items: unknown[]) => Buffer.from(JSON.stringify({ kind: 'PodList', metadata: { resourceVersion: rv }, items }));
    const first = read(body('1', [1, 2]));
    expect(read(body('2', [1, 2]))).toBe(first);
    expect(parses).toBe(1);
    expect(read(body('3', [1, 3]))).toEqual({ kind: 'PodList', metadata: { resourceVersion: '3' }, items: [1, 3] });
    expect(parses).toBe(2);
    // Without `from`, every byte counts.
    const whole = reusingReader((v) => v);
    const a = whole(body('1', []));
    expect(whole(body('1', []))).toBe(a);
    expect(whole(body('2', []))).not.toBe(a);
  });

  it('asks the API server for this node’s pods and the node, reusing what it read while the pods are the same', async () => {
    const asked: string[] = [];
    let rv = 0;
    let items: V1Pod[] = pods;
    const server = createServer((req, res) => {
      asked.push(`${req.url ?? ''} ${req.headers.authorization ?? ''}`);
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/api/v1/pods?')) res.end(JSON.stringify({ kind: 'PodList', metadata: { resourceVersion: String(++rv) }, items }));
      else if (req.url === '/api/v1/nodes/node1') res.end(JSON.stringify(NODE));
      else res.writeHead(404).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const api = inClusterApi({
        loadFromCluster: () => undefined,
        getCurrentCluster: () => ({ server: `http://127.0.0.1:${port}` }),
        applyToHTTPSOptions: async (opts) => {
          opts.headers = { ...opts.headers, authorization: 'Bearer t' };
        },
      });
      const facts = await fetchKubeFacts(api, 'node1');
      expect(facts).toEqual(await fetchKubeFacts(fakeApi(pods), 'node1'));
      expect(asked).toEqual(['/api/v1/pods?fieldSelector=spec.nodeName%3Dnode1&resourceVersion=0 Bearer t', '/api/v1/nodes/node1 Bearer t']);
      const list = await api.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node1' });
      expect(await api.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node1' })).toBe(list);
      items = pods.slice(1);
      expect((await fetchKubeFacts(api, 'node1')).pods.map((p) => p.name)).toEqual(['kube-proxy-x', 'cart-0']);
    } finally {
      server.close();
    }
  });
});

describe('pod identity from netns names', () => {
  it('reads PREFIX<namespace>_<pod> after the literal start of the --pod-netns glob', () => {
    const id = netnsNameIdentity('pnl1a2b-node1-*');
    expect(id('pnl1a2b-node1-default_web-node1-a')).toEqual({ namespace: 'default', name: 'web-node1-a' });
    expect(id('pnl1a2b-node1-kube-system_coredns-5d78c9869d-x2x7q')).toEqual({ namespace: 'kube-system', name: 'coredns-5d78c9869d-x2x7q' });
  });

  it('gives containerd and docker netns names no identity', () => {
    const id = netnsNameIdentity(undefined);
    expect(id('cni-8a3c1f0e-6b1d-4d5e-9f1a-2b3c4d5e6f70')).toBeUndefined();
    expect(id('4f1c2d3e4a5b')).toBeUndefined();
    expect(id('Weird_Name')).toBeUndefined();
  });
});
