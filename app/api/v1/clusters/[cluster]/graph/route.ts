import { clusterGraph } from '@/lib/graph/clusterGraph';
import type { GraphResponse } from '@/lib/graph/types';
import { getTopology } from '@/server/data';
import { HttpError, intParam, optionalStringParam } from '@/server/http';
import { readRoute, type RouteCtx } from '@/server/routes';

export const dynamic = 'force-dynamic';

/** Most node names one request may expand: each brings its pods, devices and tables. */
const MAX_EXPAND = 50;

function expandParam(url: URL): string[] {
  const raw = optionalStringParam(url, 'expand', 20_000);
  if (raw === undefined) return [];
  const names = [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
  if (names.length > MAX_EXPAND) throw new HttpError(400, { error: `expand names at most ${MAX_EXPAND} nodes (got ${names.length})`, field: 'expand' });
  return names;
}

/** `?at=R&expand=a,b&focus=…`: the cluster graph, nodes in `expand` (and the nodes of `focus`'s matches) in full. */
export async function GET(request: Request, ctx: RouteCtx<{ cluster: string }>): Promise<Response> {
  const { cluster } = await ctx.params;
  return readRoute(request, async (url): Promise<GraphResponse> => {
    const at = intParam(url, 'at');
    const expand = expandParam(url);
    const focus = optionalStringParam(url, 'focus', 256);
    const t = await getTopology(cluster, at);
    const graph = clusterGraph(t.topology, { expand, ...(focus !== undefined ? { focus } : {}) });
    const notice = t.missing.length > 0 ? `retention removed evidence this revision used (${t.missing.map((m) => m.node).join(', ')}); the graph lacks it` : undefined;
    return { cluster, revision: t.revision, latestRevision: t.latestRevision, ...(notice ? { notice } : {}), graph };
  });
}
