import { ingestSnapshot, webIngestRequest } from '@/server/data';
import { registerFastIngest } from '@/server/nodeIngest';
import { writeRoute, type RouteCtx } from '@/server/routes';

export const dynamic = 'force-dynamic';

// scripts/start.mjs answers pushes with this same code, without Next's per-request
// work (instrumentation.ts publishes it at start; publishing again here is harmless).
// This handler answers them under `next dev` and whatever start.mjs hands on.
registerFastIngest();

/** Ingest: a snapshot JSON (optionally gzip) or a transcript with ?node=NAME; needs the cluster's ingest token. */
export async function POST(request: Request, ctx: RouteCtx<{ cluster: string }>): Promise<Response> {
  const { cluster } = await ctx.params;
  return writeRoute(request, 201, (url) => ingestSnapshot(cluster, webIngestRequest(request), url));
}
