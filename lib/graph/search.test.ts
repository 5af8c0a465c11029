import { describe, it, expect } from 'vitest';
import { searchTopology } from './search';
import { labTopology } from './testGraph';

describe('searchTopology', () => {
  const t = labTopology();

  it('finds a pod by name, exact before partial', () => {
    const m = searchTopology(t, 'web-node1');
    expect(m.map((x) => x.elementId).slice(0, 2)).toEqual(['pod:default/web-node1-a', 'pod:default/web-node1-b']);
    expect(searchTopology(t, 'WEB-NODE3-B')[0]).toMatchObject({ kind: 'pod', elementId: 'pod:default/web-node3-b', node: 'node:node3' });
  });

  it('finds pods and node NICs by IP', () => {
    expect(searchTopology(t, '10.244.2.3')[0]).toMatchObject({ kind: 'pod', elementId: 'pod:default/web-node2-b', field: 'ip' });
    expect(searchTopology(t, '192.168.50.12').map((x) => x.elementId)).toEqual(expect.arrayContaining(['if:node2/host/eth0', 'node:node2']));
  });

  it('finds an interface by MAC, a pod-side one as its pod', () => {
    const mac = t.interfaces.find((i) => i.id === 'node1/lab-node1-default_web-node1-a/eth0')!.mac!;
    expect(searchTopology(t, mac.toUpperCase())).toEqual([expect.objectContaining({ elementId: 'pod:default/web-node1-a', field: 'mac' })]);
  });

  it('ranks a host device named exactly before pods’ interfaces of that name', () => {
    const m = searchTopology(t, 'flannel.1');
    expect(m[0]).toMatchObject({ kind: 'device', elementId: 'if:node1/host/flannel.1' });
    expect(searchTopology(t, 'eth0')[0]?.kind).toBe('device');
  });

  it('answers an empty query with nothing and bounds the result', () => {
    expect(searchTopology(t, '  ')).toEqual([]);
    expect(searchTopology(t, 'e', 2)).toHaveLength(2);
  });
});
