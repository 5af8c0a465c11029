import { clusterRevision } from '@/server/data';
import { readRoute, type RouteCtx } from '@/server/routes';

export const dynamic = 'force-dynamic';

/** The cluster's current revision: the dashboard's cheap poll. */
export async function GET(request: Request, ctx: RouteCtx<{ cluster: string }>): Promise<Response> {
  const { cluster } = await ctx.params;
  return readRoute(request, () => clusterRevision(cluster));
}
