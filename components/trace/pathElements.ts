/**
 * The trace path as Cytoscape elements: one compound parent per Kubernetes
 * node, one element per hop inside it, an edge between consecutive hops
 * (marked `encap` while the packet travels encapsulated). Positions are
 * preset down a column (zig-zag, so labels do not collide) so the path reads
 * top to bottom in the narrow side panel without a layout run.
 */
import type { ElementDefinition } from 'cytoscape';
import type { Disposition, Hop } from '@/lib/trace/types';

/** Vertical distance between hops, in model pixels. */
export const HOP_SPACING = 64;

export function pathElements(hops: Hop[], verdict: Disposition): ElementDefinition[] {
  const els: ElementDefinition[] = [];
  const parents = new Set<string>();
  // A node the path leaves and comes back to gets one box per visit, so boxes never overlap.
  let visit = 0;
  let previousNode: string | undefined;
  hops.forEach((hop, i) => {
    if (hop.node !== previousNode) visit += 1;
    previousNode = hop.node;
    const parent = `node:${hop.node}:${visit}`;
    if (!parents.has(parent)) {
      parents.add(parent);
      els.push({ group: 'nodes', data: { id: parent, label: hop.node, kind: 'k8s-node' }, classes: 'k8s-node' });
    }
    const classes = ['hop'];
    if (hop.pod !== null) classes.push('pod');
    if (hop.encap !== undefined) classes.push('encap');
    if (i === 0) classes.push('first');
    if (i === hops.length - 1) classes.push('last', `verdict-${verdict}`);
    const where = hop.pod !== null ? hop.pod.split('/').pop() ?? hop.pod : hop.netns;
    els.push({
      group: 'nodes',
      data: { id: `hop:${i}`, parent, label: `${i + 1}. ${hop.interface}\n${where}`, kind: 'hop' },
      position: { x: i % 2 === 0 ? 0 : 150, y: i * HOP_SPACING },
      classes: classes.join(' '),
    });
    if (i > 0) {
      const prev = hops[i - 1];
      const encap = hop.encap !== undefined && prev?.encap !== undefined;
      els.push({ group: 'edges', data: { id: `step:${i}`, source: `hop:${i - 1}`, target: `hop:${i}` }, classes: encap ? 'encap' : '' });
    }
  });
  return els;
}
