'use client';
/**
 * React Query hooks over the API. Keys come from lib/api/queryKeys; fetchers
 * get React Query's signal. The cluster revision is polled cheaply; views that
 * show "latest" data refetch when it moves.
 */
import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '@/lib/api/queryKeys';
import { fetchClusters, fetchNodes, fetchRevision, fetchTrace } from './client';

export function useClusters() {
  return useQuery({ queryKey: queryKeys.clusters(), queryFn: ({ signal }) => fetchClusters(signal), refetchInterval: 10_000 });
}

/** Polls the cluster revision every few seconds (a small request). */
export function useRevision(cluster: string | undefined, intervalMs = 5_000) {
  return useQuery({
    queryKey: queryKeys.revision(cluster ?? ''),
    queryFn: ({ signal }) => fetchRevision(cluster ?? '', signal),
    enabled: Boolean(cluster),
    refetchInterval: intervalMs,
  });
}

export function useNodes(cluster: string | undefined, at?: number) {
  return useQuery({
    queryKey: queryKeys.nodes(cluster ?? '', at),
    queryFn: ({ signal }) => fetchNodes(cluster ?? '', at, signal),
    enabled: Boolean(cluster),
  });
}

/** A trace; pinned (`at` given) traces never change, so they are cached forever. */
export function useTrace(q: { cluster?: string; from?: string; to?: string; at?: number; size?: number }) {
  const { cluster, from, to, at, size } = q;
  return useQuery({
    queryKey: queryKeys.trace(cluster ?? '', from ?? '', to ?? '', at, size),
    queryFn: ({ signal }) => fetchTrace({ cluster: cluster ?? '', from: from ?? '', to: to ?? '', at, size }, signal),
    enabled: Boolean(cluster && from && to),
    staleTime: at !== undefined ? Infinity : 0,
    retry: false,
  });
}
