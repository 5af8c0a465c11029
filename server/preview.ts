/**
 * The upload preview: what one file would contribute to a cluster, computed
 * by reading it and building a topology from it alone. Pure.
 */
import type { ReadPreview } from '../lib/api/types';
import type { ReadResult } from '../lib/read/types';
import type { Topology } from '../lib/topology/types';

/** Shapes a read and its topology into the preview the upload dialog shows. */
export function toReadPreview(result: ReadResult, topology: Topology, fileName?: string): ReadPreview {
  const preview: ReadPreview = {
    ...(fileName !== undefined ? { fileName } : {}),
    nodes: result.snapshots.map((s) => s.node.name),
    pods: topology.pods.map((p) => ({
      id: p.id,
      ...(p.ips[0] !== undefined ? { ip: p.ips[0] } : {}),
      ...(p.node !== undefined ? { node: p.node } : {}),
    })),
    vethPairs: [],
    bridges: [],
    tunnels: [],
    used: result.used,
    skipped: result.skipped,
    warnings: result.warnings,
  };
  if (result.error) preview.error = result.error;

  const seen = new Set<string>();
  for (const i of topology.interfaces) {
    if (i.peer === undefined || seen.has(i.id)) continue;
    seen.add(i.id);
    if (i.peer.id !== undefined) seen.add(i.peer.id);
    preview.vethPairs.push({ a: i.id, ...(i.peer.id !== undefined ? { b: i.peer.id } : {}), state: i.peer.state });
  }
  for (const i of topology.interfaces) {
    if (i.role !== 'bridge') continue;
    preview.bridges.push({ id: i.id, ports: topology.interfaces.filter((p) => p.master === i.id).map((p) => p.id) });
  }
  for (const i of topology.interfaces) {
    if (i.vxlan) {
      const v = i.vxlan;
      preview.tunnels.push({
        id: i.id,
        kind: 'vxlan',
        vni: v.id,
        ...(v.local !== undefined ? { local: v.local } : {}),
        ...(v.dev !== undefined ? { dev: v.dev } : {}),
        ...(v.port !== undefined ? { port: v.port } : {}),
      });
    } else if (i.kind === 'ipip' || i.tunnel?.mode === 'ipip') {
      const t = i.tunnel;
      preview.tunnels.push({
        id: i.id,
        kind: 'ipip',
        ...(t?.local !== undefined ? { local: t.local } : {}),
        ...(t?.dev !== undefined ? { dev: t.dev } : {}),
      });
    }
  }
  return preview;
}
