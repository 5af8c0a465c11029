import { ingestSnapshot, webIngestRequest } from '@/server/data';
import { registerFastIngest } from '@/server/nodeIngest';
import { writeRoute, type RouteCtx } from '@/server/routes';

export const dynamic = 'force-dynamic';

// Once Next has loaded this route (its first push), scripts/start.mjs answers
// later pushes with this same code, without Next's per-request work.
registerFastIngest();

/** Ingest: a snapshot JSON (optionally gzip) or a transcript with ?node=NAME; needs the cluster's ingest token. */
export async function POST(request: Request, ctx: RouteCtx<{ cluster: string }>): Promise<Response> {
  const { cluster } = await ctx.params;
  return writeRoute(request, 201, (url) => ingestSnapshot(cluster, webIngestRequest(request), url));
}
