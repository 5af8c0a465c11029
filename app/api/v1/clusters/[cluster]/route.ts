import { clusterInfo } from '@/server/data';
import { readRoute, type RouteCtx } from '@/server/routes';

export const dynamic = 'force-dynamic';

/** One cluster: name, revision, node count. */
export async function GET(request: Request, ctx: RouteCtx<{ cluster: string }>): Promise<Response> {
  const { cluster } = await ctx.params;
  return readRoute(request, () => clusterInfo(cluster));
}
