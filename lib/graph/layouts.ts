/**
 * Where things go. The default layout is computed here, purely and
 * deterministically, from the graph's structure: node boxes packed in rows
 * by name, and inside an expanded node the datapath read top to bottom —
 * underlay NICs, tunnel devices, bridges, then each host veth above its pod.
 * The same graph always lands in the same place, and it costs O(elements),
 * which a force layout on 1,000 nodes does not. fcose (compound-aware) is the
 * "auto-arrange" alternative; it starts from these positions with
 * `randomize: false`, so it too is repeatable.
 */
import type { LayoutOptions } from 'cytoscape';
import type { ClusterGraph } from './types';

/** A point in model coordinates. */
export interface Point {
  x: number;
  y: number;
}

const COLLAPSED_W = 190;
const COLLAPSED_H = 86;
const GAP = 60;
const DEVICE_DX = 110;
const ROW_DY = 80;
const PAIR_DX = 92;
const PAIR_DY = 120;
const PAIR_COLUMNS = 10;
const BOX_PAD = 40;

interface Box {
  w: number;
  h: number;
  /** Child positions relative to the box's top-left corner. */
  children: Map<string, Point>;
}

function expandedBox(g: ClusterGraph, nodeId: string, devicesOf: Map<string, string[]>, podsOf: Map<string, string[]>): Box {
  const children = new Map<string, Point>();
  const devs = devicesOf.get(nodeId) ?? [];
  const byId = new Map(g.devices.map((d) => [d.id, d] as const));
  const top: string[] = [];
  const tunnels: string[] = [];
  const bridges: string[] = [];
  const veths: string[] = [];
  for (const id of devs) {
    const d = byId.get(id);
    if (!d) continue;
    if (d.role === 'vtep' || d.role === 'ip-tunnel') tunnels.push(id);
    else if (d.role === 'bridge') bridges.push(id);
    else if (d.role === 'host-veth' && d.peer?.id?.startsWith('pod:')) veths.push(id);
    else top.push(id);
  }
  // Pair each host veth with its pod; pods without one follow.
  const pods = podsOf.get(nodeId) ?? [];
  const podOfVeth = new Map<string, string>();
  for (const id of veths) {
    const peer = byId.get(id)?.peer?.id;
    if (peer) podOfVeth.set(id, peer);
  }
  const paired = new Set(podOfVeth.values());
  const columns: Array<{ veth?: string; pod?: string }> = [];
  for (const v of veths) {
    const p = podOfVeth.get(v);
    columns.push({ veth: v, ...(p !== undefined && pods.includes(p) ? { pod: p } : {}) });
  }
  for (const p of pods) if (!paired.has(p)) columns.push({ pod: p });

  const pairCols = Math.min(PAIR_COLUMNS, Math.max(1, columns.length));
  const width = Math.max(pairCols * PAIR_DX, top.length * DEVICE_DX, tunnels.length * DEVICE_DX, bridges.length * DEVICE_DX, 160);
  const row = (ids: string[], y: number): void => {
    const span = (ids.length - 1) * DEVICE_DX;
    ids.forEach((id, k) => children.set(id, { x: width / 2 - span / 2 + k * DEVICE_DX, y }));
  };
  let y = 0;
  for (const ids of [top, tunnels, bridges]) {
    if (ids.length === 0) continue;
    row(ids, y);
    y += ROW_DY;
  }
  const pairSpan = (pairCols - 1) * PAIR_DX;
  columns.forEach((c, k) => {
    const x = width / 2 - pairSpan / 2 + (k % pairCols) * PAIR_DX;
    const y0 = y + Math.floor(k / pairCols) * PAIR_DY;
    if (c.veth) children.set(c.veth, { x, y: y0 });
    if (c.pod) children.set(c.pod, { x, y: y0 + (c.veth ? 55 : 0) });
  });
  const rows = Math.ceil(columns.length / pairCols);
  const h = y + Math.max(0, rows * PAIR_DY - 40);
  return { w: width + BOX_PAD * 2, h: h + BOX_PAD * 2, children };
}

const cache = new WeakMap<ClusterGraph, Record<string, Point>>();

/**
 * Positions of every leaf element (collapsed nodes, devices, pods). Compound
 * nodes take the bounds of their children, so they get none.
 */
export function graphPositions(g: ClusterGraph): Record<string, Point> {
  const hit = cache.get(g);
  if (hit) return hit;
  const devicesOf = new Map<string, string[]>();
  for (const d of g.devices) {
    const list = devicesOf.get(d.node) ?? [];
    list.push(d.id);
    devicesOf.set(d.node, list);
  }
  const podsOf = new Map<string, string[]>();
  const loose: string[] = [];
  for (const p of g.pods) {
    if (p.node === null) {
      loose.push(p.id);
      continue;
    }
    const list = podsOf.get(p.node) ?? [];
    list.push(p.id);
    podsOf.set(p.node, list);
  }
  const boxes = g.nodes.map((n) =>
    n.expanded && ((devicesOf.get(n.id)?.length ?? 0) > 0 || (podsOf.get(n.id)?.length ?? 0) > 0)
      ? { id: n.id, leaf: false, ...expandedBox(g, n.id, devicesOf, podsOf) }
      : { id: n.id, leaf: true, w: COLLAPSED_W, h: COLLAPSED_H, children: new Map<string, Point>() },
  );
  // Shelf packing: rows about as wide as a square grid of collapsed boxes,
  // or as the widest expanded box.
  const perRow = Math.max(1, Math.ceil(Math.sqrt(boxes.length)));
  const meanW = boxes.reduce((sum, b) => sum + b.w, 0) / Math.max(1, boxes.length);
  const rowWidth = Math.max(perRow * (meanW + GAP), ...boxes.map((b) => b.w + GAP));
  const out: Record<string, Point> = {};
  let x = 0;
  let y = 0;
  let rowH = 0;
  for (const b of boxes) {
    if (x > 0 && x + b.w > rowWidth) {
      x = 0;
      y += rowH + GAP;
      rowH = 0;
    }
    if (b.leaf) out[b.id] = { x: x + b.w / 2, y: y + b.h / 2 };
    for (const [id, p] of b.children) out[id] = { x: x + BOX_PAD + p.x, y: y + BOX_PAD + p.y };
    x += b.w + GAP;
    rowH = Math.max(rowH, b.h);
  }
  loose.forEach((id, k) => {
    out[id] = { x: k * PAIR_DX, y: y + rowH + GAP * 2 };
  });
  cache.set(g, out);
  return out;
}

/** The default layout: the computed positions, no animation. */
export function presetLayout(g: ClusterGraph): LayoutOptions {
  const positions = graphPositions(g);
  return { name: 'preset', positions: (n: { id(): string }) => positions[n.id()] ?? { x: 0, y: 0 }, fit: true, padding: 30, animate: false } as LayoutOptions;
}

/** fcose from the current positions: deterministic (no randomisation), compound-aware. */
export const FCOSE_LAYOUT = {
  name: 'fcose',
  randomize: false,
  quality: 'default',
  animate: false,
  fit: true,
  padding: 30,
  nodeDimensionsIncludeLabels: true,
  packComponents: true,
  nodeRepulsion: 6000,
  idealEdgeLength: 80,
  nestingFactor: 0.6,
  tile: true,
} as const satisfies Record<string, unknown>;
