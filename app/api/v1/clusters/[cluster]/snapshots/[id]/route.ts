import { rawSnapshot } from '@/server/data';
import { snapshotIdParam } from '@/server/http';
import { readRoute, type RouteCtx } from '@/server/routes';

export const dynamic = 'force-dynamic';

/** The stored snapshot document; 410 when retention removed it. */
export async function GET(request: Request, ctx: RouteCtx<{ cluster: string; id: string }>): Promise<Response> {
  const { cluster, id } = await ctx.params;
  return readRoute(request, () => rawSnapshot(cluster, snapshotIdParam(id)));
}
