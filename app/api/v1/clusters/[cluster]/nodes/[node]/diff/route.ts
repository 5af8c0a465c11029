import { nodeDiff } from '@/server/data';
import { snapshotIdParam, stringParam } from '@/server/http';
import { readRoute, type RouteCtx } from '@/server/routes';

export const dynamic = 'force-dynamic';

/** `?from=ID&to=ID`: what changed in the node between two of its snapshots. */
export async function GET(request: Request, ctx: RouteCtx<{ cluster: string; node: string }>): Promise<Response> {
  const { cluster, node } = await ctx.params;
  return readRoute(request, (url) =>
    nodeDiff(cluster, node, snapshotIdParam(stringParam(url, 'from', 20), 'from'), snapshotIdParam(stringParam(url, 'to', 20), 'to')),
  );
}
