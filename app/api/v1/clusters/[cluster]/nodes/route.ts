import { listNodes } from '@/server/data';
import { intParam } from '@/server/http';
import { readRoute, type RouteCtx } from '@/server/routes';

export const dynamic = 'force-dynamic';

/** `?at=R`: per node, the snapshot in force at revision R (default: latest). */
export async function GET(request: Request, ctx: RouteCtx<{ cluster: string }>): Promise<Response> {
  const { cluster } = await ctx.params;
  return readRoute(request, (url) => listNodes(cluster, intParam(url, 'at')));
}
