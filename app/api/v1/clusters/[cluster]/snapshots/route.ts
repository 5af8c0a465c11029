import { ingestSnapshot } from '@/server/data';
import { writeRoute, type RouteCtx } from '@/server/routes';

export const dynamic = 'force-dynamic';

/** Ingest: a snapshot JSON (optionally gzip) or a transcript with ?node=NAME; needs the cluster's ingest token. */
export async function POST(request: Request, ctx: RouteCtx<{ cluster: string }>): Promise<Response> {
  const { cluster } = await ctx.params;
  return writeRoute(request, 201, (url) => ingestSnapshot(cluster, request, url));
}
