import { describe, it, expect } from 'vitest';
import { buildTopology } from './build';
import { addr, hostNs, link, podNs, route, snapshot, veth } from './testSnapshots';

describe('pods', () => {
  it('puts a hostNetwork pod on its node’s host netns', () => {
    const t = buildTopology([
      snapshot('n1', [hostNs({ links: [link('eth0', 2)], addresses: [addr('eth0', '10.0.0.5/24')] })], {
        kubernetes: { pods: [{ namespace: 'kube-system', name: 'kube-proxy-x', ip: '10.0.0.5', node: 'n1', hostNetwork: true }] },
      }),
    ]);
    expect(t.pods).toEqual([{ id: 'kube-system/kube-proxy-x', namespace: 'kube-system', name: 'kube-proxy-x', ips: ['10.0.0.5'], node: 'n1', hostNetwork: true, netns: 'n1/host' }]);
  });

  it('gives a captured pod netns the pod whose IP it holds', () => {
    const t = buildTopology([
      snapshot('n1', [hostNs({ links: [veth('veth1', 5, 2)] }), podNs('cni-1234', undefined, { links: [veth('eth0', 2, 5)], addresses: [addr('eth0', '10.244.1.7/24')] })], {
        kubernetes: {
          pods: [
            { namespace: 'dev', name: 'web-1', ip: '10.244.1.7', node: 'n1', phase: 'Running' },
            { namespace: 'dev', name: 'web-2', ip: '10.244.2.9', node: 'n2' },
          ],
        },
      }),
    ]);
    expect(t.pods).toEqual([
      { id: 'dev/web-1', namespace: 'dev', name: 'web-1', ips: ['10.244.1.7'], node: 'n1', phase: 'Running', netns: 'n1/cni-1234' },
      { id: 'dev/web-2', namespace: 'dev', name: 'web-2', ips: ['10.244.2.9'], node: 'n2' },
    ]);
    expect(t.namespaces.find((ns) => ns.id === 'n1/cni-1234')?.pod).toEqual({ namespace: 'dev', name: 'web-1' });
    expect(t.nodes.map((n) => [n.name, n.captured])).toEqual([
      ['n1', true],
      ['n2', false],
    ]);
  });

  it('merges a captured pod reference with the Kubernetes facts of the same pod', () => {
    const t = buildTopology([
      snapshot('n1', [podNs('kubectl-exec', { namespace: 'dev', name: 'signin' }, { routes: [route('172.22.0.0/24', { dev: 'eth0', scope: 'link', prefsrc: '172.22.0.253' })] })], {
        kubernetes: { pods: [{ namespace: 'dev', name: 'signin', ip: '172.22.0.253', node: 'n1', uid: 'u-1' }] },
      }),
    ]);
    expect(t.pods).toEqual([{ id: 'dev/signin', namespace: 'dev', name: 'signin', node: 'n1', ips: ['172.22.0.253'], netns: 'n1/kubectl-exec', uid: 'u-1' }]);
  });

  it('shows a pod without a namespace as ?/name and warns', () => {
    const t = buildTopology([snapshot('n1', [hostNs()], { kubernetes: { pods: [{ name: 'lonely', ip: '10.1.1.1' }] } })]);
    expect(t.pods[0]).toMatchObject({ id: '?/lonely', namespace: '?' });
    expect(t.warnings).toContainEqual(expect.objectContaining({ subject: '?/lonely', message: expect.stringContaining('without a namespace') }));
  });
});
