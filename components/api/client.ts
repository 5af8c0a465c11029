/**
 * Browser-side fetchers for the podnet API. Each takes the AbortSignal React
 * Query passes, so a view that goes away cancels its request. Errors carry the
 * server's ApiError message, which names the field or line at fault.
 */
import type { ApiError, ClusterList, NodeList, TraceResponse } from '@/lib/api/types';

/** An API call that failed, with the server's explanation. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError | null,
  ) {
    super(body?.error ?? `request failed with HTTP ${status}`);
  }
}

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal, headers: { accept: 'application/json' } });
  if (!res.ok) {
    let body: ApiError | null = null;
    try {
      body = (await res.json()) as ApiError;
    } catch {
      body = null;
    }
    throw new ApiRequestError(res.status, body);
  }
  return (await res.json()) as T;
}

const enc = encodeURIComponent;

export const fetchClusters = (signal?: AbortSignal) => getJson<ClusterList>('/api/v1/clusters', signal);

export const fetchRevision = (cluster: string, signal?: AbortSignal) =>
  getJson<{ cluster: string; revision: number }>(`/api/v1/clusters/${enc(cluster)}/revision`, signal);

export const fetchNodes = (cluster: string, at: number | undefined, signal?: AbortSignal) =>
  getJson<NodeList>(`/api/v1/clusters/${enc(cluster)}/nodes${at !== undefined ? `?at=${at}` : ''}`, signal);

export function fetchTrace(
  q: { cluster: string; from: string; to: string; at?: number; size?: number },
  signal?: AbortSignal,
): Promise<TraceResponse> {
  const params = new URLSearchParams({ from: q.from, to: q.to });
  if (q.at !== undefined) params.set('at', String(q.at));
  if (q.size !== undefined) params.set('size', String(q.size));
  return getJson<TraceResponse>(`/api/v1/clusters/${enc(q.cluster)}/trace?${params.toString()}`, signal);
}
