import { topologyResponse } from '@/server/data';
import { intParam } from '@/server/http';
import { readRoute, type RouteCtx } from '@/server/routes';

export const dynamic = 'force-dynamic';

/** `?at=R`: the cluster's topology at revision R (default: latest). */
export async function GET(request: Request, ctx: RouteCtx<{ cluster: string }>): Promise<Response> {
  const { cluster } = await ctx.params;
  return readRoute(request, (url) => topologyResponse(cluster, intParam(url, 'at')));
}
