/**
 * ClusterGraph → cytoscape element definitions. Every data field is set
 * (strings default to '', numbers to 0) so stylesheet selectors never meet
 * `undefined`, and every mark the stylesheet shows is a class, so live
 * updates change classes in place. Labels are plain text: cytoscape draws
 * them on a canvas, never as HTML, so node-supplied names cannot inject.
 */
import type { ElementDefinition } from 'cytoscape';
import type { ClusterGraph, GraphDevice, GraphEdge, GraphNode, GraphPod } from './types';

/** What an element is, as the `kind` data field says. */
export type ElementKind = 'node' | 'device' | 'pod' | 'edge';

function classes(...names: Array<string | false | null | undefined>): string {
  return names.filter((n): n is string => typeof n === 'string' && n !== '').join(' ');
}

/** The text inside a cluster node's box. */
export function nodeLabel(n: GraphNode): string {
  if (n.expanded) return [n.name, n.addresses[0]].filter(Boolean).join(' · ');
  const lines = [n.name, `${n.podCount} pods · ${n.deviceCount} devices`];
  if (!n.captured) lines.push('not captured');
  if (n.ipForward === false) lines.push('ip_forward off');
  const marks: string[] = [];
  if (n.warnings.length > 0) marks.push(`⚠ ${n.warnings.length}`);
  if (n.downDevices > 0) marks.push(`${n.downDevices} down`);
  if (n.mtuMismatches > 0) marks.push('MTU');
  if (n.peerLinks > 0) marks.push(`${n.peerLinks} peer links`);
  if (marks.length > 0) lines.push(marks.join(' · '));
  return lines.join('\n');
}

/** The text under a device. */
export function deviceLabel(d: GraphDevice): string {
  // Link-local IPv6 is on every veth and says nothing about the datapath.
  const shown = d.addresses.find((a) => !a.toLowerCase().startsWith('fe80:'));
  const second = d.vxlan ? `VNI ${d.vxlan.id}` : (shown?.replace(' (inferred)', '') ?? '');
  return second ? `${d.name}\n${second}` : d.name;
}

/** The text under a pod. */
export function podLabel(p: GraphPod): string {
  return p.ips[0] ? `${p.name}\n${p.ips[0]}` : p.name;
}

function nodeElement(n: GraphNode): ElementDefinition {
  return {
    group: 'nodes',
    data: { id: n.id, kind: 'node', label: nodeLabel(n), name: n.name, role: '', state: '', namespace: '', node: n.id, pods: n.podCount },
    classes: classes(
      'k8s-node',
      n.expanded ? 'expanded' : 'collapsed',
      !n.captured && 'uncaptured',
      n.ipForward === false && 'forward-off',
      n.warnings.length > 0 && 'has-warnings',
      n.downDevices > 0 && 'has-down',
      n.mtuMismatches > 0 && 'mtu-mismatch',
      n.datapath === 'ebpf' && 'ebpf',
    ),
  };
}

function deviceElement(d: GraphDevice): ElementDefinition {
  return {
    group: 'nodes',
    data: { id: d.id, kind: 'device', label: deviceLabel(d), name: d.name, role: d.role, state: d.state, namespace: '', node: d.node, parent: d.node, pods: 0 },
    classes: classes(
      d.role,
      d.state === 'down' && 'down',
      d.state === 'unknown' && 'state-unknown',
      d.inferred && 'inferred',
      d.peer?.state === 'unknown' && 'peer-unknown',
      d.peer?.state === 'inferred' && 'peer-inferred',
      d.mtuMismatch && 'mtu-mismatch',
    ),
  };
}

function podElement(p: GraphPod): ElementDefinition {
  const down = p.interfaces.some((i) => i.state === 'down');
  return {
    group: 'nodes',
    data: {
      id: p.id,
      kind: 'pod',
      label: podLabel(p),
      name: p.name,
      role: 'pod',
      state: down ? 'down' : 'up',
      namespace: p.namespace,
      node: p.node ?? '',
      ...(p.node !== null ? { parent: p.node } : {}),
      pods: 0,
    },
    classes: classes(
      'pod',
      !p.captured && 'uncaptured',
      p.hostNetwork && 'host-network',
      down && 'down',
      p.peerState === 'unknown' && 'peer-unknown',
      p.peerState === 'inferred' && 'peer-inferred',
      p.interfaces.some((i) => i.mtuMismatch) && 'mtu-mismatch',
    ),
  };
}

function edgeElement(e: GraphEdge): ElementDefinition {
  return {
    group: 'edges',
    data: { id: e.id, kind: 'edge', source: e.source, target: e.target, label: e.label, edgeKind: e.kind, count: e.count },
    classes: classes(e.kind, e.inferred && 'inferred', e.down && 'down', e.mtuMismatch && 'mtu-mismatch', e.aggregated && 'aggregated'),
  };
}

/**
 * Elements of `g`, parents before children (cytoscape needs a parent to exist
 * when a child names it), edges last; edges whose ends are not drawn are
 * dropped rather than left dangling.
 */
export function graphElements(g: ClusterGraph): ElementDefinition[] {
  const out: ElementDefinition[] = [];
  const ids = new Set<string>();
  for (const n of g.nodes) {
    out.push(nodeElement(n));
    ids.add(n.id);
  }
  for (const d of g.devices) {
    if (!ids.has(d.node)) continue;
    out.push(deviceElement(d));
    ids.add(d.id);
  }
  for (const p of g.pods) {
    if (p.node !== null && !ids.has(p.node)) continue;
    out.push(podElement(p));
    ids.add(p.id);
  }
  for (const e of g.edges) if (ids.has(e.source) && ids.has(e.target)) out.push(edgeElement(e));
  return out;
}

/** A stable signature of the element ids: when it changes, the layout must run again. */
export function elementIdsKey(elements: readonly ElementDefinition[]): string {
  return elements
    .map((e) => `${e.data.id ?? ''}${e.data.parent ? `<${String(e.data.parent)}` : ''}`)
    .sort()
    .join('\n');
}
