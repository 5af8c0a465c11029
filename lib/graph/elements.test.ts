import { describe, it, expect } from 'vitest';
import cytoscape from 'cytoscape';
import { clusterGraph } from './clusterGraph';
import { elementIdsKey, graphElements } from './elements';
import { GRAPH_TOKENS, graphStylesheet, RUNTIME_CLASSES } from './stylesheet';
import { labTopology } from './testGraph';

function headless(theme: 'light' | 'dark', edit?: Parameters<typeof labTopology>[0], opts: Parameters<typeof clusterGraph>[1] = { expand: [] }) {
  const g = clusterGraph(labTopology(edit), opts);
  return { g, cy: cytoscape({ headless: true, styleEnabled: true, elements: graphElements(g), style: graphStylesheet(theme) }) };
}

/** Cytoscape reports colours as rgb(); tokens are hex. */
function rgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255})`;
}

describe('graphElements in a headless cytoscape', () => {
  it('loads every node, device, pod and edge, children inside their node', () => {
    const { g, cy } = headless('light');
    expect(cy.nodes('[kind = "node"]').length).toBe(3);
    expect(cy.nodes('[kind = "pod"]').length).toBe(6);
    expect(cy.nodes('[kind = "device"]').length).toBe(g.devices.length);
    expect(cy.edges().length).toBe(g.edges.length);
    expect(cy.getElementById('pod:default/web-node1-a').parent().first().id()).toBe('node:node1');
    expect(cy.getElementById('if:node2/host/cni0').parent().first().id()).toBe('node:node2');
  });

  it('defaults every data field the stylesheet reads', () => {
    const { cy } = headless('light', undefined, { expand: [], collapseAbove: 1 });
    for (const n of cy.nodes()) {
      for (const k of ['id', 'kind', 'label', 'name', 'role', 'state', 'namespace', 'node']) expect(typeof n.data(k)).toBe('string');
    }
    expect(cy.getElementById('node:node1').data('label')).toBe('node1\n2 pods · 5 devices\n4 peer links');
  });

  it('keeps labels as plain text, whatever a capture names things', () => {
    const { cy } = headless('light', (snaps) => {
      for (const ns of snaps[0]!.namespaces) if (ns.pod?.name === 'web-node1-a') ns.pod = { ...ns.pod, name: '<img src=x onerror=alert(1)>' };
    });
    const labels = cy.nodes('[kind = "pod"]').map((n) => String(n.data('label')));
    expect(labels).toContain('<img src=x onerror=alert(1)>\n10.244.1.2');
    // Text labels only: no HTML label extension, no markup style.
    expect(JSON.stringify(graphStylesheet('light'))).not.toMatch(/html/i);
  });

  it('changes the ids key only when elements come or go', () => {
    const a = graphElements(clusterGraph(labTopology(), { expand: [] }));
    const b = graphElements(clusterGraph(labTopology((s) => (s[0]!.collectedAt = '2030-01-01T00:00:00Z')), { expand: [] }));
    const c = graphElements(clusterGraph(labTopology(), { expand: [], collapseAbove: 1 }));
    expect(elementIdsKey(a)).toBe(elementIdsKey(b));
    expect(elementIdsKey(a)).not.toBe(elementIdsKey(c));
  });
});

describe('graphStylesheet', () => {
  it('gives each device role its shape and colour token', () => {
    const { cy } = headless('light');
    const t = GRAPH_TOKENS.light;
    expect(cy.getElementById('if:node1/host/cni0').style('shape')).toBe('hexagon');
    expect(cy.getElementById('if:node1/host/cni0').style('background-color')).toBe(rgb(t.bridge));
    expect(cy.getElementById('if:node1/host/flannel.1').style('shape')).toBe('diamond');
    expect(cy.getElementById('if:node1/host/eth0').style('shape')).toBe('rectangle');
    expect(cy.getElementById('pod:default/web-node1-a').style('background-color')).toBe(rgb(t.pod));
  });

  it('draws tunnels dashed in the tunnel colour, and dark mode uses the dark tokens', () => {
    const light = headless('light').cy;
    const dark = headless('dark').cy;
    const id = 'e:vxlan:node1/host/flannel.1<->node2/host/flannel.1';
    expect(light.getElementById(id).style('line-style')).toBe('dashed');
    expect(light.getElementById(id).style('line-color')).toBe(rgb(GRAPH_TOKENS.light.tunnelEdge));
    expect(dark.getElementById(id).style('line-color')).toBe(rgb(GRAPH_TOKENS.dark.tunnelEdge));
  });

  it('shows down devices, ip_forward off and unknown peers at a glance', () => {
    const { cy } = headless('light', (snaps) => {
      const host = snaps.find((s) => s.node.name === 'node1')!.namespaces.find((n) => n.kind === 'host')!;
      const cni0 = host.links!.find((l) => l.name === 'cni0')!;
      cni0.flags = (cni0.flags ?? []).filter((f) => f !== 'UP' && f !== 'LOWER_UP');
      cni0.operState = 'DOWN';
      host.sysctls = { ...host.sysctls, 'net.ipv4.ip_forward': '0' };
    });
    const t = GRAPH_TOKENS.light;
    const cni0 = cy.getElementById('if:node1/host/cni0');
    expect(cni0.hasClass('down')).toBe(true);
    expect(cni0.style('border-color')).toBe(rgb(t.down));
    const port = cy.edges('.bridge-port').filter((e) => e.target().id() === 'if:node1/host/cni0');
    expect(port.length).toBe(2);
    expect(port.first().style('line-style')).toBe('dotted');
    const node1 = cy.getElementById('node:node1');
    expect(node1.hasClass('forward-off')).toBe(true);
    expect(node1.style('border-style')).toBe('double');
    expect(cy.$('.forward-off').length).toBe(1);
  });

  it('hides filtered elements and paints the highlighted path through runtime classes', () => {
    const { cy } = headless('light');
    const pod = cy.getElementById('pod:default/web-node1-a');
    pod.addClass(RUNTIME_CLASSES.hidden);
    expect(pod.style('display')).toBe('none');
    pod.removeClass(RUNTIME_CLASSES.hidden);
    const edge = cy.getElementById('e:bridge-port:node1/host/vethc332f235->node1/host/cni0');
    edge.addClass(RUNTIME_CLASSES.path);
    expect(edge.style('line-color')).toBe(rgb(GRAPH_TOKENS.light.path));
    cy.getElementById('pod:default/web-node2-a').addClass(RUNTIME_CLASSES.faded);
    expect(cy.getElementById('pod:default/web-node2-a').style('opacity')).toBe('0.25');
  });

  it('is one object per theme, so the canvas never restyles for nothing', () => {
    expect(graphStylesheet('dark')).toBe(graphStylesheet('dark'));
    expect(graphStylesheet('dark')).not.toBe(graphStylesheet('light'));
  });
});
