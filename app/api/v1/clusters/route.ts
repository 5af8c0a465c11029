import { listClusters } from '@/server/data';
import { readRoute } from '@/server/routes';

export const dynamic = 'force-dynamic';

/** Every cluster with its revision and node count. */
export function GET(request: Request): Promise<Response> {
  return readRoute(request, () => listClusters());
}
