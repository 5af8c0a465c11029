import { describe, it, expect } from 'vitest';
import { indexTopology } from '../topology/topologyIndex';
import { resolveEndpoint } from './endpoints';
import { flannelTwoNodes } from './testTopology';

function idx(mutate?: (b: ReturnType<typeof flannelTwoNodes>) => void) {
  const b = flannelTwoNodes();
  mutate?.(b);
  return indexTopology(b.build());
}

describe('resolveEndpoint', () => {
  it('resolves namespace/name to the pod IP and its captured netns', () => {
    const r = resolveEndpoint(idx(), 'default/client', 'from');
    expect(r.ok).toBe(true);
    expect(r.endpoint).toEqual({ input: 'default/client', ip: '10.244.1.2', pod: 'default/client', node: 'node1' });
    expect(r.ok && r.netns?.id).toBe('node1/cni-aaaa');
  });

  it('resolves a pod name unique across the cluster', () => {
    expect(resolveEndpoint(idx(), 'server', 'to').endpoint.ip).toBe('10.244.2.2');
  });

  it('labels an IP with the pod that owns it', () => {
    const r = resolveEndpoint(idx(), '10.244.2.2', 'to');
    expect(r.endpoint).toMatchObject({ ip: '10.244.2.2', pod: 'default/server', node: 'node2' });
  });

  it('accepts any destination address, captured or not', () => {
    const r = resolveEndpoint(idx(), '8.8.8.8', 'to');
    expect(r.ok).toBe(true);
    expect(r.ok && r.netns).toBeUndefined();
  });

  it('refuses a source that is a pod whose namespace was not captured', () => {
    const r = resolveEndpoint(idx((b) => b.pod('default/ghost', 'node2', ['10.244.2.9'])), 'default/ghost', 'from');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/was not captured/);
  });

  it('lists candidates for an ambiguous pod name and for a wrong namespace', () => {
    const i = idx((b) => b.pod('kube-system/server', 'node1', ['10.244.1.40']));
    const amb = resolveEndpoint(i, 'server', 'to');
    expect(!amb.ok && amb.reason).toMatch(/ambiguous: default\/server \(node node2\), kube-system\/server \(node node1\)/);
    const wrongNs = resolveEndpoint(i, 'prod/client', 'to');
    expect(!wrongNs.ok && wrongNs.reason).toMatch(/no pod prod\/client.*default\/client/);
  });

  it('refuses an address held by several namespaces as a source unless a pod claims it', () => {
    const i = idx((b) => {
      b.if('node2/host/cni0').addresses.push({ ip: '10.244.1.1', prefixlen: 32, family: 4 });
    });
    const r = resolveEndpoint(i, '10.244.1.1', 'from');
    expect(!r.ok && r.reason).toMatch(/several captured namespaces.*node1\/host.*node2\/host/);
  });

  it('answers unknown names with a reason instead of throwing', () => {
    const r = resolveEndpoint(idx(), 'nothing-here', 'to');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/neither an IP address, a pod nor a node/);
  });
});
