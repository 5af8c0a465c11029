/**
 * Small valid snapshots for the store's tests: one host netns whose content
 * varies with `marker`, so two calls differ exactly when asked to.
 */
import { SNAPSHOT_API_VERSION, type Snapshot } from '../../../lib/snapshot/schema';

/** What to put in a sample snapshot. */
export interface SampleOptions {
  /** ISO time; omitted means the document does not say when it was collected. */
  collectedAt?: string;
  /** Distinguishes documents of one node (it becomes the node's third address octet and a sysctl). */
  marker?: number;
}

/** A node snapshot that passes validateSnapshot. */
export function sampleSnapshot(node: string, opts: SampleOptions = {}): Snapshot {
  const marker = opts.marker ?? 0;
  return {
    apiVersion: SNAPSHOT_API_VERSION,
    kind: 'NodeSnapshot',
    node: { name: node, addresses: [`10.0.${marker % 256}.10`], podCidrs: ['10.244.1.0/24'] },
    ...(opts.collectedAt === undefined ? {} : { collectedAt: opts.collectedAt }),
    collector: { name: 'podnet-collector', version: 'test' },
    namespaces: [
      {
        name: 'host',
        kind: 'host',
        links: [
          { ifindex: 1, name: 'lo', kind: 'loopback', mtu: 65536 },
          { ifindex: 2, name: 'eth0', kind: 'device', mtu: 1500, mac: '52:54:00:12:34:56' },
        ],
        addresses: [{ ifname: 'eth0', ifindex: 2, family: 4, local: `10.0.${marker % 256}.10`, prefixlen: 16 }],
        routes: [
          { family: 4, table: 'main', type: 'unicast', dst: '0.0.0.0/0', gateway: '10.0.0.1', dev: 'eth0' },
        ],
        sysctls: { 'net.ipv4.ip_forward': '1', 'podnet.test.marker': String(marker) },
      },
    ],
  };
}

/** An ISO time `minutes` after a fixed instant, for ordering snapshots by collectedAt. */
export function at(minutes: number): string {
  return new Date(Date.UTC(2025, 0, 15, 10, 0, 0) + minutes * 60_000).toISOString();
}
