import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseKubectlGetEndpoints, parseKubectlGetServices } from './kubectlServices';

describe('parseKubectlGetServices', () => {
  it('reads ClusterIPs, ports and NodePorts of kubectl get svc -A', () => {
    const out = parseKubectlGetServices(
      [
        'NAMESPACE     NAME         TYPE        CLUSTER-IP      EXTERNAL-IP   PORT(S)                  AGE',
        'kube-system   kube-dns     ClusterIP   10.96.0.10      <none>        53/UDP,53/TCP,9153/TCP   41d',
        'shop          redis        NodePort    10.103.52.18    <none>        6379:31379/TCP           6h',
        'shop          pg           ClusterIP   None            <none>        5432/TCP                 6h',
      ],
      1,
    );
    expect(out.skipped).toEqual([]);
    expect(out.items).toEqual([
      { namespace: 'kube-system', name: 'kube-dns', type: 'ClusterIP', clusterIp: '10.96.0.10', ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }, { port: 9153, protocol: 'TCP' }] },
      { namespace: 'shop', name: 'redis', type: 'NodePort', clusterIp: '10.103.52.18', ports: [{ port: 6379, protocol: 'TCP', nodePort: 31379 }] },
      { namespace: 'shop', name: 'pg', type: 'ClusterIP', ports: [{ port: 5432, protocol: 'TCP' }] },
    ]);
  });

  it('takes the namespace from -n when the table has no NAMESPACE column, and skips rows that do not fit', () => {
    const out = parseKubectlGetServices(['NAME   TYPE   CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE', 'web   ClusterIP   10.0.0.300   <none>   80/TCP   1d', 'api   ClusterIP   10.0.0.30   <none>   80/TCP   1d'], 5, { namespace: 'shop' });
    expect(out.items).toEqual([{ namespace: 'shop', name: 'api', type: 'ClusterIP', clusterIp: '10.0.0.30', ports: [{ port: 80, protocol: 'TCP' }] }]);
    expect(out.skipped).toEqual([expect.objectContaining({ startLine: 6 })]);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.array(fc.string()), (lines) => {
      parseKubectlGetServices(['NAMESPACE NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE', ...lines], 1);
    }), { numRuns: 300 });
  });
});

describe('parseKubectlGetEndpoints', () => {
  it('reads ready endpoints and marks a list kubectl cut with "+ N more..."', () => {
    const out = parseKubectlGetEndpoints(
      ['NAMESPACE     NAME       ENDPOINTS                                               AGE', 'kube-system   kube-dns   10.244.0.3:53,10.244.1.2:53,10.244.0.3:53 + 3 more...   41d', 'shop          checkout   <none>                                                  6h'],
      1,
    );
    expect(out.items).toEqual([
      { namespace: 'kube-system', name: 'kube-dns', addresses: [{ ip: '10.244.0.3', port: 53 }, { ip: '10.244.1.2', port: 53 }], truncated: true },
      { namespace: 'shop', name: 'checkout', addresses: [] },
    ]);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.array(fc.string()), (lines) => {
      parseKubectlGetEndpoints(['NAME ENDPOINTS AGE', ...lines], 1);
    }), { numRuns: 300 });
  });
});
