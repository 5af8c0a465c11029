import { traceResponse } from '@/server/data';
import { intParam, stringParam } from '@/server/http';
import { readRoute, type RouteCtx } from '@/server/routes';

export const dynamic = 'force-dynamic';

/** `?from&to&at&size`: one packet traced over the topology pinned at revision `at`. */
export async function GET(request: Request, ctx: RouteCtx<{ cluster: string }>): Promise<Response> {
  const { cluster } = await ctx.params;
  return readRoute(request, (url) => {
    const at = intParam(url, 'at');
    const size = intParam(url, 'size', { min: 20, max: 65535 });
    return traceResponse(cluster, {
      from: stringParam(url, 'from'),
      to: stringParam(url, 'to'),
      ...(at !== undefined ? { at } : {}),
      ...(size !== undefined ? { size } : {}),
    });
  });
}
