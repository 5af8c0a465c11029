'use client';
/**
 * The one cytoscape instance. react-cytoscapejs creates it once (its own
 * element diffing is bypassed: `elements` stays the same empty array) and
 * this component patches it: when the set of element ids changes the
 * elements are swapped and the layout runs; otherwise data and classes are
 * updated in place, so live updates never move anything.
 *
 * Test and benchmark hooks are data attributes on the wrapper:
 * `data-graph-ready`, `data-graph-ms` (data → first painted layout),
 * `data-highlighted` (ids on the highlighted path), `data-path-ms` (pod tap →
 * highlighted path painted), `data-selected`.
 */
import cytoscape, { type Core, type ElementDefinition } from 'cytoscape';
import fcose from 'cytoscape-fcose';
import CytoscapeComponent from 'react-cytoscapejs';
import { useCallback, useEffect, useRef, useState } from 'react';
import { elementIdsKey, graphElements } from '@/lib/graph/elements';
import { FCOSE_LAYOUT, presetLayout } from '@/lib/graph/layouts';
import { graphStylesheet, RUNTIME_CLASSES } from '@/lib/graph/stylesheet';
import type { ClusterGraph } from '@/lib/graph/types';
import { bindGraphEvents, type GraphEvent } from './events';

let fcoseRegistered = false;
function registerFcose(): void {
  if (fcoseRegistered) return;
  cytoscape.use(fcose);
  fcoseRegistered = true;
}

const NO_ELEMENTS: ElementDefinition[] = [];
const RUNTIME = Object.values(RUNTIME_CLASSES).join(' ');

/**
 * Above this many edges the view moves as a cached texture of the whole
 * graph, edges hidden (cytoscape's textureOnViewport + hideEdgesOnViewport);
 * below it, nothing is hidden and cytoscape's per-element and layered caches
 * move the view. Measured in headless chromium (software canvas, no GPU):
 * 1,000 collapsed nodes and no edges, the texture made at each gesture's
 * start (the whole graph at twice the canvas size, in one frame) stalled
 * 150–250 ms, and hiding edges gave up the layered caches so each box was
 * drawn alone (cold frames 100–250 ms); with both off, frames ≤ 50–80 ms
 * under load. With one node of the 1,000 expanded (1,220 edges, ~1,000
 * labelled tunnels) drawing edges while moving is the stall (p95 133–283 ms
 * against 33 ms with both on).
 */
const MOVE_AS_TEXTURE_ABOVE_EDGES = 300;

/**
 * cytoscape reads textureOnViewport and hideEdgesOnViewport once, when its
 * renderer is made, and has no public setter; the canvas renderer keeps them
 * as plain fields read at every frame, so each cut of the graph sets them.
 */
function setMoveAsTexture(cy: Core, on: boolean): void {
  const renderer = (cy as unknown as { renderer?: () => { textureOnViewport?: boolean; hideEdgesOnViewport?: boolean } | undefined }).renderer?.();
  if (!renderer) return;
  if (typeof renderer.textureOnViewport === 'boolean') renderer.textureOnViewport = on;
  if (typeof renderer.hideEdgesOnViewport === 'boolean') renderer.hideEdgesOnViewport = on;
}

/** What the toolbar can do to the canvas. */
export interface GraphControls {
  fit(): void;
  zoomBy(factor: number): void;
  arrange(): void;
}

/** Props of the canvas. */
export interface GraphCanvasProps {
  graph: ClusterGraph;
  /** When this graph arrived (performance.now()), for the first-paint measurement. */
  receivedAt: number;
  theme: 'light' | 'dark';
  selected: string | null;
  /** Element ids to highlight (a pod's way out); everything else fades. */
  highlighted: readonly string[];
  /** When the tap that asked for the highlight happened. */
  highlightAskedAt: number | null;
  hidden: ReadonlySet<string>;
  matches: readonly string[];
  /** Bumped to zoom to the selected element. */
  focusSignal: number;
  onEvent(e: GraphEvent): void;
  onControls(c: GraphControls): void;
}

export default function GraphCanvas(props: GraphCanvasProps) {
  const { graph, receivedAt, theme, selected, highlighted, highlightAskedAt, hidden, matches, focusSignal, onEvent, onControls } = props;
  const cyRef = useRef<Core | null>(null);
  const idsKey = useRef<string>('');
  const onEventRef = useRef(onEvent);
  onEventRef.current = onEvent;
  const [ready, setReady] = useState(false);
  const [graphMs, setGraphMs] = useState<number | null>(null);
  const [pathMs, setPathMs] = useState<number | null>(null);
  const [layoutRuns, setLayoutRuns] = useState(0);

  registerFcose();

  const attach = useCallback(
    (cy: Core) => {
      // react-cytoscapejs calls this on every render: bind once.
      if (cyRef.current === cy) return;
      cyRef.current = cy;
      bindGraphEvents(cy, (e) => onEventRef.current(e));
      onControls({
        fit: () => cy.fit(cy.elements(':visible'), 30),
        zoomBy: (f) => cy.zoom({ level: cy.zoom() * f, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }),
        arrange: () => {
          cy.layout({ ...FCOSE_LAYOUT, eles: cy.elements(':visible') } as unknown as cytoscape.LayoutOptions).run();
        },
      });
    },
    [onControls],
  );

  // Elements: swap and lay out when the ids change, patch in place otherwise.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    const elements = graphElements(graph);
    const key = elementIdsKey(elements);
    if (key !== idsKey.current) {
      idsKey.current = key;
      cy.batch(() => {
        cy.elements().remove();
        cy.add(elements);
      });
      setMoveAsTexture(cy, cy.edges().length > MOVE_AS_TEXTURE_ABOVE_EDGES);
      const layout = cy.layout(presetLayout(graph));
      layout.one('layoutstop', () => {
        cy.one('render', () => {
          setGraphMs((prev) => prev ?? Math.round(performance.now() - receivedAt));
          setReady(true);
        });
        // A render after layoutstop is not guaranteed when nothing moved; ask for one.
        cy.style().update();
      });
      layout.run();
      setLayoutRuns((n) => n + 1);
      return;
    }
    cy.batch(() => {
      for (const def of elements) {
        const el = cy.getElementById(String(def.data.id));
        if (el.empty()) continue;
        el.data(def.data);
        const runtime = RUNTIME.split(' ').filter((c) => el.hasClass(c));
        el.classes([def.classes ?? '', ...runtime].join(' '));
      }
    });
  }, [graph, receivedAt]);

  // Runtime classes: filters, the highlighted path, search hits.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.batch(() => {
      cy.elements().removeClass(RUNTIME);
      if (hidden.size > 0) for (const id of hidden) cy.getElementById(id).addClass(RUNTIME_CLASSES.hidden);
      if (highlighted.length > 0) {
        const on = cy.collection();
        for (const id of highlighted) on.merge(cy.getElementById(id));
        // Keep the parents of highlighted devices readable.
        on.merge(on.parents());
        on.addClass(RUNTIME_CLASSES.path);
        cy.elements().not(on).addClass(RUNTIME_CLASSES.faded);
      }
      for (const id of matches) cy.getElementById(id).addClass(RUNTIME_CLASSES.match);
    });
    if (highlighted.length > 0 && highlightAskedAt !== null) {
      cy.one('render', () => setPathMs(Math.round(performance.now() - highlightAskedAt)));
    }
  }, [graph, layoutRuns, hidden, highlighted, highlightAskedAt, matches]);

  // Selection mirrors the page's state (a search selects too).
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.$(':selected').unselect();
    if (selected) cy.getElementById(selected).select();
  }, [selected, layoutRuns]);

  // Zoom to the selection only when asked (a search), never on a plain tap;
  // if the element arrives with a later layout, zoom then.
  const focused = useRef(0);
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy || !selected || focusSignal === focused.current) return;
    const el = cy.getElementById(selected);
    if (el.empty()) return;
    focused.current = focusSignal;
    cy.animate({ fit: { eles: el.closedNeighborhood(), padding: 120 } }, { duration: 250 });
  }, [focusSignal, selected, layoutRuns]);

  return (
    <div
      className="relative h-full w-full"
      data-testid="graph"
      data-graph-ready={ready ? 'true' : 'false'}
      data-graph-ms={graphMs ?? ''}
      data-path-ms={pathMs ?? ''}
      data-selected={selected ?? ''}
      data-highlighted={highlighted.join(' ')}
      data-element-count={graph.nodes.length + graph.devices.length + graph.pods.length + graph.edges.length}
    >
      <CytoscapeComponent
        elements={NO_ELEMENTS}
        stylesheet={graphStylesheet(theme)}
        cy={attach}
        className="h-full w-full"
        style={{ width: '100%', height: '100%' }}
        minZoom={0.02}
        maxZoom={3}
        wheelSensitivity={0.3}
        boxSelectionEnabled={false}
        // Set per cut once its elements are in (setMoveAsTexture).
        hideEdgesOnViewport={false}
        textureOnViewport={false}
        pixelRatio={1}
      />
    </div>
  );
}
