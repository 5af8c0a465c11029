import { clusterRevision } from '@/server/data';
import { stringParam } from '@/server/http';
import { readRoute } from '@/server/routes';

export const dynamic = 'force-dynamic';

/** `?cluster=NAME`: the same poll as /clusters/{cluster}/revision. */
export function GET(request: Request): Promise<Response> {
  return readRoute(request, (url) => clusterRevision(stringParam(url, 'cluster', 63)));
}
