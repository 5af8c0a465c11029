import { describe, it, expect } from 'vitest';
import { clusterGraph } from './clusterGraph';
import { hiddenElements } from './filters';
import { labTopology } from './testGraph';

describe('hiddenElements', () => {
  const g = clusterGraph(
    labTopology((snaps) => {
      const node2 = snaps.find((s) => s.node.name === 'node2')!;
      for (const ns of node2.namespaces) if (ns.pod?.name === 'web-node2-b') ns.pod = { ...ns.pod, namespace: 'payments' };
    }),
    { expand: [] },
  );

  it('hides nothing without a filter', () => {
    expect(hiddenElements(g, { namespace: '', node: '' }).size).toBe(0);
  });

  it('keeps one node and its contents when filtering by node', () => {
    const h = hiddenElements(g, { namespace: '', node: 'node2' });
    expect(h.has('node:node1')).toBe(true);
    expect(h.has('pod:default/web-node1-a')).toBe(true);
    expect(h.has('node:node2')).toBe(false);
    expect(h.has('if:node2/host/cni0')).toBe(false);
    expect(h.has('e:vxlan:node1/host/flannel.1<->node2/host/flannel.1')).toBe(true);
  });

  it('hides other namespaces’ pods with their host veths when filtering by namespace', () => {
    expect(g.namespaces).toEqual(['default', 'payments']);
    const h = hiddenElements(g, { namespace: 'payments', node: '' });
    const payments = g.pods.find((p) => p.namespace === 'payments')!;
    expect(h.has(payments.id)).toBe(false);
    expect(h.has('pod:default/web-node1-a')).toBe(true);
    expect(h.has('if:node1/host/vethc332f235')).toBe(true);
    expect(h.has('if:node1/host/cni0')).toBe(false);
  });
});
