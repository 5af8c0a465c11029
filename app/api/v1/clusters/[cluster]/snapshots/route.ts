import { ingestSnapshot, webIngestRequest } from '@/server/data';
import { writeRoute, type RouteCtx } from '@/server/routes';

export const dynamic = 'force-dynamic';

// scripts/start.mjs answers pushes with this same code (server/nodeIngest.ts, published by
// instrumentation.ts at start), without Next's per-request work. This handler answers them
// under `next dev` and whatever start.mjs hands on.

/** Ingest: a snapshot JSON (optionally gzip) or a transcript with ?node=NAME; needs the cluster's ingest token. */
export async function POST(request: Request, ctx: RouteCtx<{ cluster: string }>): Promise<Response> {
  const { cluster } = await ctx.params;
  return writeRoute(request, 201, (url) => ingestSnapshot(cluster, webIngestRequest(request), url));
}
