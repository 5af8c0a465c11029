'use client';
/**
 * The graph query: keyed by the shared factory (cluster, revision pin,
 * expanded nodes), fetched with React Query's signal, the previous graph
 * kept on screen while a new cut loads so expanding a node never blanks it.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { getJson } from '@/components/api/client';
import { queryKeys } from '@/lib/api/queryKeys';
import type { GraphResponse } from '@/lib/graph/types';

/** What to ask the graph endpoint for. */
export interface GraphRequest {
  cluster: string;
  at?: number;
  expand: readonly string[];
  focus?: string;
}

/** `GET /api/v1/clusters/{cluster}/graph`. */
export function fetchGraph(q: GraphRequest, signal?: AbortSignal): Promise<GraphResponse> {
  const params = new URLSearchParams();
  if (q.at !== undefined) params.set('at', String(q.at));
  if (q.expand.length > 0) params.set('expand', [...q.expand].sort().join(','));
  if (q.focus !== undefined && q.focus !== '') params.set('focus', q.focus);
  const qs = params.toString();
  return getJson<GraphResponse>(`/api/v1/clusters/${encodeURIComponent(q.cluster)}/graph${qs ? `?${qs}` : ''}`, signal);
}

/** The graph of `cluster` with `expand` shown in full. */
export function useGraph(cluster: string | undefined, at: number | undefined, expand: readonly string[]) {
  return useQuery({
    queryKey: queryKeys.graph(cluster ?? '', at, expand),
    queryFn: ({ signal }) => fetchGraph({ cluster: cluster ?? '', ...(at !== undefined ? { at } : {}), expand }, signal),
    enabled: Boolean(cluster),
    placeholderData: keepPreviousData,
    staleTime: at !== undefined ? Infinity : 2_000,
  });
}
