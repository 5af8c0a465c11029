/**
 * The one factory of React Query keys. Every hook takes its key from here so
 * invalidation (a new cluster revision) reaches every view that depends on it.
 */
export const queryKeys = {
  all: ['podnet'] as const,
  clusters: () => [...queryKeys.all, 'clusters'] as const,
  cluster: (cluster: string) => [...queryKeys.all, 'cluster', cluster] as const,
  revision: (cluster: string) => [...queryKeys.cluster(cluster), 'revision'] as const,
  nodes: (cluster: string, at?: number) => [...queryKeys.cluster(cluster), 'nodes', at ?? 'latest'] as const,
  graph: (cluster: string, at: number | undefined, expand: readonly string[]) =>
    [...queryKeys.cluster(cluster), 'graph', at ?? 'latest', [...expand].sort().join(',')] as const,
  trace: (cluster: string, from: string, to: string, at?: number, size?: number) =>
    [...queryKeys.cluster(cluster), 'trace', from, to, at ?? 'latest', size ?? 'default'] as const,
  history: (cluster: string, node: string) => [...queryKeys.cluster(cluster), 'history', node] as const,
};
