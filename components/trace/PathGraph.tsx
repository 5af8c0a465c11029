'use client';
/**
 * A small read-only graph of the hops only, grouped by node. One cy
 * instance per mounted trace; the theme follows the `.dark` class on <html>.
 * The canvas says nothing to a screen reader, so a text summary goes with it.
 */
import { useEffect, useMemo, useRef } from 'react';
import type { Core, StylesheetJson } from 'cytoscape';
import type { Disposition, Hop } from '@/lib/trace/types';
import { pathElements } from './pathElements';

function stylesheet(dark: boolean): StylesheetJson {
  const fg = dark ? '#e2e8f0' : '#0f172a';
  const muted = dark ? '#94a3b8' : '#475569';
  return [
    {
      selector: 'node.k8s-node',
      style: {
        label: 'data(label)',
        'text-valign': 'top',
        'text-halign': 'center',
        'font-size': 13,
        'font-weight': 'bold',
        color: muted,
        'background-color': dark ? '#0f172a' : '#f8fafc',
        'border-color': dark ? '#334155' : '#cbd5e1',
        'border-width': 1,
        shape: 'round-rectangle',
        padding: '18px',
      },
    },
    {
      selector: 'node.hop',
      style: {
        label: 'data(label)',
        'text-wrap': 'wrap',
        'text-max-width': '130px',
        'text-valign': 'center',
        'text-halign': 'right',
        'text-margin-x': 6,
        'font-size': 11,
        color: fg,
        width: 22,
        height: 22,
        'background-color': dark ? '#0284c7' : '#0369a1',
        'border-width': 2,
        'border-color': dark ? '#0f172a' : '#ffffff',
      },
    },
    { selector: 'node.pod', style: { shape: 'round-rectangle', 'background-color': dark ? '#7c3aed' : '#6d28d9' } },
    { selector: 'node.encap', style: { 'border-color': '#d97706', 'border-width': 3 } },
    { selector: 'node.verdict-delivered', style: { 'background-color': '#059669' } },
    { selector: 'node.verdict-dropped, node.verdict-loop', style: { 'background-color': '#dc2626' } },
    { selector: 'node.verdict-insufficient-information', style: { 'background-color': '#d97706' } },
    {
      selector: 'edge',
      style: {
        width: 2,
        'line-color': muted,
        'target-arrow-color': muted,
        'target-arrow-shape': 'triangle',
        'curve-style': 'bezier',
      },
    },
    { selector: 'edge.encap', style: { 'line-color': '#d97706', 'target-arrow-color': '#d97706', 'line-style': 'dashed', width: 3 } },
  ];
}

function isDark(): boolean {
  return document.documentElement.classList.contains('dark');
}

export function PathGraph({ hops, verdict }: { hops: Hop[]; verdict: Disposition }) {
  const container = useRef<HTMLDivElement>(null);
  const elements = useMemo(() => pathElements(hops, verdict), [hops, verdict]);
  const summary = useMemo(() => {
    const nodes: string[] = [];
    for (const h of hops) if (nodes[nodes.length - 1] !== h.node) nodes.push(h.node);
    return `${hops.length} hops across ${nodes.join(' → ')}`;
  }, [hops]);

  useEffect(() => {
    let cy: Core | undefined;
    let observer: MutationObserver | undefined;
    let cancelled = false;
    // cytoscape touches `window` on import: load it in the browser only.
    void import('cytoscape').then(({ default: cytoscape }) => {
      if (cancelled || container.current === null) return;
      cy = cytoscape({
        container: container.current,
        elements,
        style: stylesheet(isDark()),
        layout: { name: 'preset', padding: 24 },
        userZoomingEnabled: true,
        userPanningEnabled: true,
        boxSelectionEnabled: false,
        autoungrabify: true,
        minZoom: 0.2,
        maxZoom: 2.5,
      });
      cy.fit(undefined, 16);
      observer = new MutationObserver(() => cy?.style(stylesheet(isDark())));
      observer.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
      container.current.dataset.ready = 'true';
    });
    return () => {
      cancelled = true;
      observer?.disconnect();
      cy?.destroy();
    };
  }, [elements]);

  return (
    <section aria-labelledby="path-heading" className="rounded-lg border border-slate-200 p-4 dark:border-slate-700">
      <h2 id="path-heading" className="text-lg font-semibold">Path</h2>
      <p className="text-sm text-slate-600 dark:text-slate-300">{summary}</p>
      <div ref={container} data-testid="path-graph" role="img" aria-label={`Path graph: ${summary}`} className="mt-2 w-full" style={{ height: Math.min(640, 90 + hops.length * 52) }} />
    </section>
  );
}
