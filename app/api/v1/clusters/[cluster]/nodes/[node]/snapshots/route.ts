import { nodeHistory } from '@/server/data';
import { intParam } from '@/server/http';
import { readRoute, type RouteCtx } from '@/server/routes';

export const dynamic = 'force-dynamic';

/** `?limit=N`: the node's snapshots, newest first. */
export async function GET(request: Request, ctx: RouteCtx<{ cluster: string; node: string }>): Promise<Response> {
  const { cluster, node } = await ctx.params;
  return readRoute(request, (url) => nodeHistory(cluster, node, intParam(url, 'limit', { min: 1, max: 1000 })));
}
