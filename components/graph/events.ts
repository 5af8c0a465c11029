/**
 * Cytoscape events → typed graph events. The canvas binds these once on its
 * one long-lived cy instance; the page reacts to the typed events only.
 */
import type { Core, EventObject } from 'cytoscape';
import type { ElementKind } from '@/lib/graph/elements';

/** What happened on the canvas. */
export type GraphEvent =
  /** An element was tapped (clicked or touched). */
  | { type: 'select'; id: string; kind: ElementKind; at: number }
  /** The background was tapped. */
  | { type: 'clear' }
  /** A collapsed node was double-tapped: show it in full. */
  | { type: 'expand'; node: string }
  /** An expanded node's box was double-tapped: fold it. */
  | { type: 'collapse'; node: string };

function kindOf(target: EventObject['target']): ElementKind {
  if (target.isEdge()) return 'edge';
  const k: unknown = target.data('kind');
  return k === 'node' || k === 'device' || k === 'pod' ? k : 'device';
}

/** Binds the handlers; returns the function that unbinds them. */
export function bindGraphEvents(cy: Core, emit: (e: GraphEvent) => void): () => void {
  const onTap = (evt: EventObject): void => {
    if (evt.target === cy) {
      emit({ type: 'clear' });
      return;
    }
    emit({ type: 'select', id: String(evt.target.id()), kind: kindOf(evt.target), at: performance.now() });
  };
  const onDblTap = (evt: EventObject): void => {
    if (evt.target === cy || evt.target.isEdge() || evt.target.data('kind') !== 'node') return;
    const name = String(evt.target.data('name'));
    emit(evt.target.hasClass('collapsed') ? { type: 'expand', node: name } : { type: 'collapse', node: name });
  };
  cy.on('tap', onTap);
  cy.on('dbltap', 'node', onDblTap);
  return () => {
    cy.off('tap', onTap);
    cy.off('dbltap', 'node', onDblTap);
  };
}
