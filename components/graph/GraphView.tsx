'use client';
/**
 * The cluster graph page: toolbar (search, filters, zoom), the canvas, the
 * details panel and the legend. State lives here; the canvas only draws.
 * Live: the cluster revision is polled and a new revision refetches the
 * graph, which the canvas patches in place when no element came or went.
 */
import { useQueryClient } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import { useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useRevision } from '@/components/api/hooks';
import { DetailsPanel } from '@/components/details/DetailsPanel';
import { useSelectedCluster } from '@/components/shell/Header';
import { useTheme } from '@/components/shell/theme';
import { queryKeys } from '@/lib/api/queryKeys';
import { hiddenElements } from '@/lib/graph/filters';
import type { GraphMatch } from '@/lib/graph/types';
import { EmptyState } from './EmptyState';
import type { GraphControls } from './GraphCanvas';
import type { GraphEvent } from './events';
import { Legend } from './Legend';
import { fetchGraph, useGraph } from './useGraph';

const GraphCanvas = dynamic(() => import('./GraphCanvas'), {
  ssr: false,
  loading: () => <p className="p-4 text-sm text-slate-500">Loading the graph…</p>,
});

const control = 'rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900';

export function GraphView() {
  const cluster = useSelectedCluster();
  const params = useSearchParams();
  const atRaw = params.get('at');
  const at = atRaw !== null && /^\d+$/.test(atRaw) ? Number(atRaw) : undefined;
  const { theme } = useTheme();
  const queryClient = useQueryClient();

  const [expand, setExpand] = useState<string[]>([]);
  const [namespace, setNamespace] = useState('');
  const [nodeFilter, setNodeFilter] = useState('');
  const [search, setSearch] = useState('');
  const [matches, setMatches] = useState<GraphMatch[]>([]);
  const [searchError, setSearchError] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [askedAt, setAskedAt] = useState<number | null>(null);
  const [focusSignal, setFocusSignal] = useState(0);
  const controls = useRef<GraphControls | null>(null);
  const searchBox = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setExpand([]);
    setSelected(null);
    setMatches([]);
    setNamespace('');
    setNodeFilter('');
  }, [cluster]);

  const graphQuery = useGraph(cluster, at, expand);
  const data = graphQuery.data;
  const graph = data?.graph;
  const receivedAt = useMemo(() => (data ? performance.now() : 0), [data]);

  // Live updates: a new revision refetches the graph (unless pinned with ?at).
  const revision = useRevision(at === undefined ? cluster : undefined);
  useEffect(() => {
    if (!cluster || at !== undefined || !data || revision.data === undefined) return;
    if (revision.data.revision !== data.revision) {
      void queryClient.invalidateQueries({ queryKey: [...queryKeys.cluster(cluster), 'graph'] });
    }
  }, [cluster, at, data, revision.data, queryClient]);

  const selectedPod = graph?.pods.find((p) => p.id === selected);
  const highlighted = useMemo(() => selectedPod?.path ?? [], [selectedPod]);
  const hidden = useMemo(() => (graph ? hiddenElements(graph, { namespace, node: nodeFilter }) : new Set<string>()), [graph, namespace, nodeFilter]);
  const matchIds = useMemo(() => matches.map((m) => m.elementId), [matches]);

  const openNode = useCallback((name: string) => setExpand((xs) => (xs.includes(name) ? xs : [...xs, name])), []);

  const onEvent = useCallback(
    (e: GraphEvent) => {
      switch (e.type) {
        case 'select':
          setSelected(e.id);
          setAskedAt(e.kind === 'pod' ? e.at : null);
          break;
        case 'clear':
          setSelected(null);
          setAskedAt(null);
          break;
        case 'expand':
          openNode(e.node);
          break;
        case 'collapse':
          setExpand((xs) => xs.filter((x) => x !== e.node));
          break;
        default: {
          const never: never = e;
          return never;
        }
      }
    },
    [openNode],
  );
  const onControls = useCallback((c: GraphControls) => {
    controls.current = c;
  }, []);

  const runSearch = useCallback(
    async (q: string) => {
      if (!cluster || q.trim() === '') return;
      setSearching(true);
      setSearchError(null);
      try {
        const res = await fetchGraph({ cluster, ...(at !== undefined ? { at } : {}), expand, focus: q.trim() });
        const nextExpand = res.graph.summary.collapsedByDefault ? res.graph.summary.expanded : expand;
        // The answer is the graph of the expanded set: cache it under that key, no second request.
        queryClient.setQueryData(queryKeys.graph(cluster, at, nextExpand), res);
        setExpand(nextExpand);
        setMatches(res.graph.matches);
        const first = res.graph.matches[0];
        if (first) {
          setNodeFilter('');
          setNamespace('');
          setSelected(first.elementId);
          setAskedAt(first.kind === 'pod' ? performance.now() : null);
          setFocusSignal((n) => n + 1);
        } else {
          setSearchError(`nothing matches “${q.trim()}”`);
        }
      } catch (err) {
        setSearchError(err instanceof Error ? err.message : String(err));
      } finally {
        setSearching(false);
      }
    },
    [cluster, at, expand, queryClient],
  );

  const clearSearch = useCallback(() => {
    setSearch('');
    setMatches([]);
    setSearchError(null);
    setSelected(null);
  }, []);

  // `/` focuses the search box, Esc clears it.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLElement && (e.target.tagName === 'INPUT' || e.target.tagName === 'TEXTAREA' || e.target.tagName === 'SELECT');
      if (e.key === '/' && !typing) {
        e.preventDefault();
        searchBox.current?.focus();
      } else if (e.key === 'Escape') {
        clearSearch();
        if (document.activeElement === searchBox.current) searchBox.current?.blur();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [clearSearch]);

  if (!cluster) {
    return <EmptyState />;
  }
  if (graphQuery.isError && !graph) {
    return (
      <div className="p-6 text-sm">
        <p role="alert" className="text-red-700 dark:text-red-300">
          Could not load the graph of {cluster}: {graphQuery.error.message}
        </p>
        <EmptyState cluster={cluster} />
      </div>
    );
  }
  if (graph && graph.nodes.length === 0) return <EmptyState cluster={cluster} />;

  const s = graph?.summary;
  return (
    <div className="flex h-[calc(100vh-49px)] flex-col">
      <div role="toolbar" aria-label="Graph tools" className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-4 py-2 dark:border-slate-800">
        <form
          role="search"
          className="flex items-center gap-1"
          onSubmit={(e) => {
            e.preventDefault();
            void runSearch(search);
          }}
        >
          <input
            ref={searchBox}
            type="search"
            aria-label="Search pods, IPs, interfaces, MACs"
            placeholder="Search pod, IP, interface, MAC  ( / )"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            className={`${control} w-72`}
          />
          <button type="submit" className={control} disabled={searching}>
            {searching ? 'Searching…' : 'Find'}
          </button>
        </form>
        <select aria-label="Filter by namespace" className={control} value={namespace} onChange={(e) => setNamespace(e.target.value)}>
          <option value="">All namespaces</option>
          {(graph?.namespaces ?? []).map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        <select
          aria-label="Filter by node"
          className={control}
          value={nodeFilter}
          onChange={(e) => {
            setNodeFilter(e.target.value);
            if (e.target.value) openNode(e.target.value);
          }}
        >
          <option value="">All nodes</option>
          {(graph?.nodes ?? []).map((n) => (
            <option key={n.id} value={n.name}>
              {n.name}
            </option>
          ))}
        </select>
        <div className="flex gap-1" role="group" aria-label="Zoom">
          <button type="button" className={control} aria-label="Fit graph to view" onClick={() => controls.current?.fit()}>
            Fit
          </button>
          <button type="button" className={control} aria-label="Zoom in" onClick={() => controls.current?.zoomBy(1.25)}>
            +
          </button>
          <button type="button" className={control} aria-label="Zoom out" onClick={() => controls.current?.zoomBy(0.8)}>
            −
          </button>
          <button type="button" className={control} aria-label="Auto-arrange (force layout)" onClick={() => controls.current?.arrange()}>
            Arrange
          </button>
        </div>
        {s ? (
          <p className="ml-auto text-xs text-slate-600 dark:text-slate-400" aria-live="polite">
            {`${s.nodes} nodes (${s.capturedNodes} captured) · ${s.pods} pods · revision ${data?.revision ?? ''}`}
            {graphQuery.isFetching ? ' · updating…' : ''}
          </p>
        ) : null}
      </div>
      {searchError ? (
        <p role="status" className="px-4 py-1 text-xs text-amber-700 dark:text-amber-300">
          {searchError}
        </p>
      ) : null}
      {matches.length > 1 ? (
        <nav aria-label="Search results" className="flex flex-wrap gap-1 px-4 py-1 text-xs">
          {matches.slice(0, 12).map((m) => (
            <button
              key={m.elementId}
              type="button"
              className="rounded border border-slate-300 px-1.5 py-0.5 aria-pressed:bg-blue-100 dark:border-slate-700 dark:aria-pressed:bg-blue-900"
              aria-pressed={selected === m.elementId}
              onClick={() => {
                const node = m.node?.slice('node:'.length);
                if (node) openNode(node);
                setSelected(m.elementId);
                setAskedAt(m.kind === 'pod' ? performance.now() : null);
                setFocusSignal((n) => n + 1);
              }}
            >
              {m.label}
            </button>
          ))}
        </nav>
      ) : null}
      {data?.notice ? <p className="px-4 py-1 text-xs text-amber-700 dark:text-amber-300">{data.notice}</p> : null}
      {s && s.omittedEdges > 0 ? (
        <p className="px-4 py-1 text-xs text-slate-600 dark:text-slate-400">
          {`${s.omittedEdges.toLocaleString()} node-to-node links between collapsed nodes are not drawn (more than ${s.edgeBudget}); each box counts its peer links. Open a node to see its tunnels.`}
        </p>
      ) : null}
      <div className="flex min-h-0 flex-1">
        <main className="relative min-w-0 flex-1" aria-label="Cluster graph">
          {graph ? (
            <GraphCanvas
              graph={graph}
              receivedAt={receivedAt}
              theme={theme}
              selected={selected}
              highlighted={highlighted}
              highlightAskedAt={askedAt}
              hidden={hidden}
              matches={matchIds}
              focusSignal={focusSignal}
              onEvent={onEvent}
              onControls={onControls}
            />
          ) : (
            <p className="p-4 text-sm text-slate-500">Loading the graph of {cluster}…</p>
          )}
          <div className="absolute bottom-2 left-2 max-w-xs">
            <Legend theme={theme} />
          </div>
        </main>
        <aside className="w-[26rem] shrink-0 overflow-y-auto border-l border-slate-200 p-3 dark:border-slate-800" aria-label="Details panel">
          {graph ? <DetailsPanel graph={graph} cluster={cluster} selected={selected} onExpand={openNode} /> : null}
        </aside>
      </div>
    </div>
  );
}
