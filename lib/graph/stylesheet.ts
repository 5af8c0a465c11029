/**
 * The graph's look: selectors on data attributes (`kind`, `role`) and
 * classes (`down`, `peer-unknown`, …) only, colours from named tokens, one
 * token set per theme. No element carries its own style, so a theme switch
 * or a live update never restyles element by element. The legend reads the
 * same tokens, so what it explains is what the canvas shows.
 */
import type { StylesheetJson } from 'cytoscape';

/** Colour tokens of one theme. */
export interface GraphTokens {
  text: string;
  textMuted: string;
  nodeBg: string;
  nodeBorder: string;
  nodeCollapsedBg: string;
  pod: string;
  podBorder: string;
  underlay: string;
  bridge: string;
  tunnel: string;
  veth: string;
  other: string;
  edge: string;
  tunnelEdge: string;
  routeEdge: string;
  down: string;
  warn: string;
  mtu: string;
  accent: string;
  path: string;
  labelBg: string;
}

/** Light and dark token sets (Tailwind palette values, so the canvas matches the page). */
export const GRAPH_TOKENS: Record<'light' | 'dark', GraphTokens> = {
  light: {
    text: '#0f172a',
    textMuted: '#475569',
    nodeBg: '#f8fafc',
    nodeBorder: '#94a3b8',
    nodeCollapsedBg: '#e2e8f0',
    pod: '#dbeafe',
    podBorder: '#3b82f6',
    underlay: '#64748b',
    bridge: '#0d9488',
    tunnel: '#7c3aed',
    veth: '#0ea5e9',
    other: '#a8a29e',
    edge: '#94a3b8',
    tunnelEdge: '#7c3aed',
    routeEdge: '#0d9488',
    down: '#dc2626',
    warn: '#d97706',
    mtu: '#ea580c',
    accent: '#2563eb',
    path: '#f59e0b',
    labelBg: '#ffffff',
  },
  dark: {
    text: '#e2e8f0',
    textMuted: '#94a3b8',
    nodeBg: '#0f172a',
    nodeBorder: '#475569',
    nodeCollapsedBg: '#1e293b',
    pod: '#1e3a8a',
    podBorder: '#60a5fa',
    underlay: '#94a3b8',
    bridge: '#2dd4bf',
    tunnel: '#a78bfa',
    veth: '#38bdf8',
    other: '#78716c',
    edge: '#64748b',
    tunnelEdge: '#a78bfa',
    routeEdge: '#2dd4bf',
    down: '#f87171',
    warn: '#fbbf24',
    mtu: '#fb923c',
    accent: '#60a5fa',
    path: '#fbbf24',
    labelBg: '#020617',
  },
};

/** Node shapes by device role: the legend lists the same pairs. */
export const ROLE_SHAPES = {
  underlay: 'rectangle',
  bridge: 'hexagon',
  vtep: 'diamond',
  'ip-tunnel': 'diamond',
  'host-veth': 'ellipse',
  'pod-veth': 'ellipse',
  loopback: 'ellipse',
  other: 'round-rectangle',
  pod: 'round-rectangle',
} as const;

/** Classes the dashboard toggles at run time (filters, the highlighted path, search hits). */
export const RUNTIME_CLASSES = {
  hidden: 'filtered-out',
  path: 'on-path',
  faded: 'faded',
  match: 'search-match',
} as const;

function build(t: GraphTokens): StylesheetJson {
  return [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        color: t.text,
        'font-size': 10,
        'font-family': 'ui-sans-serif, system-ui, sans-serif',
        'text-wrap': 'wrap',
        'text-max-width': '140px',
        'text-valign': 'bottom',
        'text-margin-y': 3,
        'min-zoomed-font-size': 7,
        'border-width': 1.5,
        'border-color': t.nodeBorder,
        'background-color': t.other,
        width: 26,
        height: 26,
      },
    },
    {
      selector: 'node[kind = "node"]',
      style: {
        shape: 'round-rectangle',
        'background-color': t.nodeBg,
        'background-opacity': 0.9,
        'border-color': t.nodeBorder,
        'border-width': 2,
        'font-size': 13,
        'font-weight': 'bold',
      },
    },
    {
      selector: 'node[kind = "node"].collapsed',
      style: {
        width: 190,
        height: 86,
        'background-color': t.nodeCollapsedBg,
        'text-valign': 'center',
        'text-halign': 'center',
        'text-margin-y': 0,
        'font-size': 12,
        'font-weight': 'normal',
        'text-max-width': '180px',
      },
    },
    {
      selector: 'node[kind = "node"].expanded',
      style: { 'text-valign': 'top', 'text-halign': 'center', 'text-margin-y': -4, padding: '24px' },
    },
    { selector: 'node[kind = "node"].uncaptured', style: { 'border-style': 'dashed', 'background-opacity': 0.4, color: t.textMuted } },
    { selector: 'node[kind = "node"].has-warnings', style: { 'border-color': t.warn } },
    { selector: 'node[kind = "node"].mtu-mismatch', style: { 'border-color': t.mtu } },
    { selector: 'node[kind = "node"].has-down', style: { 'border-color': t.down } },
    { selector: 'node[kind = "node"].forward-off', style: { 'border-color': t.down, 'border-width': 4, 'border-style': 'double' } },
    { selector: 'node[kind = "device"][role = "underlay"]', style: { shape: ROLE_SHAPES.underlay, 'background-color': t.underlay, width: 34, height: 22 } },
    { selector: 'node[kind = "device"][role = "bridge"]', style: { shape: ROLE_SHAPES.bridge, 'background-color': t.bridge, width: 34, height: 30 } },
    { selector: 'node[kind = "device"][role = "vtep"], node[kind = "device"][role = "ip-tunnel"]', style: { shape: ROLE_SHAPES.vtep, 'background-color': t.tunnel, width: 32, height: 32 } },
    { selector: 'node[kind = "device"][role = "host-veth"], node[kind = "device"][role = "pod-veth"]', style: { shape: ROLE_SHAPES['host-veth'], 'background-color': t.veth, width: 16, height: 16, 'font-size': 8 } },
    {
      selector: 'node[kind = "pod"]',
      style: { shape: ROLE_SHAPES.pod, 'background-color': t.pod, 'border-color': t.podBorder, width: 40, height: 22, 'font-size': 9 },
    },
    // Devices and pods above every edge: an expanded node's tunnels to hundreds
    // of others fan out across its pods, and a click must still reach the pod.
    { selector: 'node[kind = "pod"], node[kind = "device"]', style: { 'z-compound-depth': 'top', 'z-index': 20 } },
    { selector: 'node.uncaptured[kind = "pod"]', style: { 'border-style': 'dashed', 'background-opacity': 0.35 } },
    { selector: 'node.host-network', style: { 'border-style': 'double', 'border-width': 3 } },
    { selector: 'node.inferred', style: { 'border-style': 'dashed' } },
    { selector: 'node.peer-inferred', style: { 'border-style': 'dashed', 'border-color': t.warn } },
    { selector: 'node.peer-unknown', style: { 'border-style': 'dotted', 'border-width': 3, 'border-color': t.warn } },
    { selector: 'node.mtu-mismatch[kind != "node"]', style: { 'border-color': t.mtu, 'border-width': 3 } },
    { selector: 'node.down[kind != "node"]', style: { 'border-color': t.down, 'border-width': 3, 'background-opacity': 0.35 } },
    {
      selector: 'edge',
      style: {
        width: 1.5,
        'line-color': t.edge,
        'curve-style': 'straight',
        label: 'data(label)',
        'font-size': 8,
        color: t.textMuted,
        'text-background-color': t.labelBg,
        'text-background-opacity': 0.8,
        'text-background-padding': '1px',
        'text-rotation': 'autorotate',
        'min-zoomed-font-size': 8,
      },
    },
    { selector: 'edge.vxlan, edge.ipip', style: { width: 2.5, 'line-color': t.tunnelEdge, 'line-style': 'dashed', 'line-dash-pattern': [8, 4] } },
    { selector: 'edge.host-route', style: { width: 2, 'line-color': t.routeEdge } },
    { selector: 'edge.underlay', style: { 'line-color': t.tunnel, width: 1.5 } },
    { selector: 'edge.l2-segment', style: { 'line-color': t.underlay, 'line-style': 'dotted' } },
    { selector: 'edge.aggregated', style: { opacity: 0.6 } },
    { selector: 'edge.inferred', style: { 'line-style': 'dashed', 'line-dash-pattern': [3, 3] } },
    { selector: 'edge.mtu-mismatch', style: { 'line-color': t.mtu, width: 3 } },
    { selector: 'edge.down', style: { 'line-color': t.down, 'line-style': 'dotted', width: 2.5 } },
    { selector: `.${RUNTIME_CLASSES.faded}`, style: { opacity: 0.25 } },
    { selector: `node.${RUNTIME_CLASSES.path}`, style: { 'border-color': t.path, 'border-width': 4, opacity: 1, 'z-index': 10 } },
    { selector: `edge.${RUNTIME_CLASSES.path}`, style: { 'line-color': t.path, width: 5, opacity: 1, 'z-index': 10, 'line-style': 'solid' } },
    { selector: `node.${RUNTIME_CLASSES.match}`, style: { 'overlay-color': t.accent, 'overlay-opacity': 0.2, 'overlay-padding': 6 } },
    { selector: 'node:selected', style: { 'border-color': t.accent, 'border-width': 4 } },
    { selector: 'edge:selected', style: { 'line-color': t.accent, width: 4 } },
    { selector: `.${RUNTIME_CLASSES.hidden}`, style: { display: 'none' } },
  ];
}

const cache = new Map<'light' | 'dark', StylesheetJson>();

/** The stylesheet of a theme; the same object every call, so the canvas never restyles needlessly. */
export function graphStylesheet(theme: 'light' | 'dark'): StylesheetJson {
  let s = cache.get(theme);
  if (!s) {
    s = build(GRAPH_TOKENS[theme]);
    cache.set(theme, s);
  }
  return s;
}

/** One legend row: what a shape or colour means. */
export interface LegendEntry {
  label: string;
  /** Swatch: a filled shape or a line. */
  swatch: { type: 'shape'; shape: string; color: keyof GraphTokens; border?: keyof GraphTokens; borderStyle?: 'solid' | 'dashed' | 'dotted' | 'double' } | { type: 'line'; color: keyof GraphTokens; style: 'solid' | 'dashed' | 'dotted' };
}

/** What the legend explains, in the stylesheet's own terms. */
export const LEGEND: readonly LegendEntry[] = [
  { label: 'Node (collapsed: counts inside; double-click to open)', swatch: { type: 'shape', shape: 'round-rectangle', color: 'nodeCollapsedBg', border: 'nodeBorder' } },
  { label: 'Pod', swatch: { type: 'shape', shape: 'round-rectangle', color: 'pod', border: 'podBorder' } },
  { label: 'Underlay NIC', swatch: { type: 'shape', shape: 'rectangle', color: 'underlay' } },
  { label: 'Bridge (cni0, docker0)', swatch: { type: 'shape', shape: 'hexagon', color: 'bridge' } },
  { label: 'Tunnel device (flannel.1, tunl0, vxlan.calico)', swatch: { type: 'shape', shape: 'diamond', color: 'tunnel' } },
  { label: 'Host-side veth', swatch: { type: 'shape', shape: 'ellipse', color: 'veth' } },
  { label: 'Veth pair, bridge port', swatch: { type: 'line', color: 'edge', style: 'solid' } },
  { label: 'Tunnel between nodes (VNI, outer addresses)', swatch: { type: 'line', color: 'tunnelEdge', style: 'dashed' } },
  { label: 'Host route to another node (no overlay)', swatch: { type: 'line', color: 'routeEdge', style: 'solid' } },
  { label: 'Down link or device', swatch: { type: 'line', color: 'down', style: 'dotted' } },
  { label: 'MTU mismatch', swatch: { type: 'line', color: 'mtu', style: 'solid' } },
  { label: 'Veth peer unknown (dotted) / pairing inferred (dashed)', swatch: { type: 'shape', shape: 'ellipse', color: 'veth', border: 'warn', borderStyle: 'dotted' } },
  { label: 'Node not captured (dashed) / ip_forward off (double red)', swatch: { type: 'shape', shape: 'round-rectangle', color: 'nodeCollapsedBg', border: 'down', borderStyle: 'double' } },
  { label: 'Warnings on a node', swatch: { type: 'shape', shape: 'round-rectangle', color: 'nodeCollapsedBg', border: 'warn' } },
  { label: 'A pod’s way out of its node', swatch: { type: 'line', color: 'path', style: 'solid' } },
];
