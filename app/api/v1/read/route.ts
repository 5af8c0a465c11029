import { requireViewer } from '@/server/auth';
import { readPreview, serverConfig } from '@/server/data';
import { writeRoute } from '@/server/routes';

export const dynamic = 'force-dynamic';

/** Upload preview: reads one file (multipart or raw body, ?fileName=&node=) without storing it. */
export function POST(request: Request): Promise<Response> {
  return writeRoute(request, 200, async (url) => {
    // Stores nothing, but it is a read of the server's time: viewers only when a viewer token is set.
    requireViewer(request, serverConfig().viewerToken);
    return readPreview(request, url);
  });
}
