'use client';
/**
 * Suggestions for the trace form's endpoints: every pod of the cluster by
 * `namespace/name` and by IP, and every node's addresses, read from the
 * cluster topology at the same revision the trace is asked at.
 */
import { useQuery } from '@tanstack/react-query';
import { getJson } from '@/components/api/client';
import type { TopologyResponse } from '@/lib/api/types';
import { queryKeys } from '@/lib/api/queryKeys';

/** One suggestion: the value to put in the field and what it is. */
export interface EndpointSuggestion {
  value: string;
  label: string;
}

function suggestions(t: TopologyResponse): EndpointSuggestion[] {
  const out: EndpointSuggestion[] = [];
  for (const p of t.topology.pods) {
    const where = p.node ? ` on ${p.node}` : '';
    out.push({ value: p.id, label: `pod${p.ips[0] ? ` ${p.ips[0]}` : ''}${where}` });
    for (const ip of p.ips) out.push({ value: ip, label: `pod ${p.id}${where}` });
  }
  for (const n of t.topology.nodes) for (const a of n.addresses) out.push({ value: a, label: `node ${n.name}` });
  return out;
}

export function useEndpointSuggestions(cluster: string | undefined, at?: number) {
  return useQuery({
    queryKey: [...queryKeys.cluster(cluster ?? ''), 'endpoint-suggestions', at ?? 'latest'] as const,
    queryFn: async ({ signal }) => {
      const qs = at !== undefined ? `?at=${at}` : '';
      return suggestions(await getJson<TopologyResponse>(`/api/v1/clusters/${encodeURIComponent(cluster ?? '')}/topology${qs}`, signal));
    },
    enabled: Boolean(cluster),
    staleTime: at !== undefined ? Infinity : 30_000,
  });
}
