/**
 * Who may do what. Writes need an ingest token created for the cluster
 * (`podnet token create --cluster NAME`); reads need the viewer token when
 * the operator set PODNET_VIEWER_TOKEN. Tokens are never echoed in answers
 * or logs.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './http';
import type { Store } from './store';

/** Cookie that carries the viewer token for the dashboard's own requests. */
export const VIEWER_COOKIE = 'podnet_viewer';

/** What reading a request's headers needs: a Web Request, or a node request wrapped (server/nodeIngest.ts). */
export interface HasHeaders {
  headers: { get(name: string): string | null };
}

/** The bearer token of a request, or undefined when there is none. */
export function bearerToken(request: HasHeaders): string | undefined {
  const header = request.headers.get('authorization');
  if (header === null) return undefined;
  const m = /^\s*Bearer\s+(\S{1,512})\s*$/i.exec(header);
  return m ? m[1] : undefined;
}

function cookieValue(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie');
  if (header === null) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Constant-time equality of two secrets of any length. */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** True when the request carries the viewer token as a bearer token or in the cookie. */
export function hasViewerToken(request: Request, viewerToken: string): boolean {
  const presented = [bearerToken(request), cookieValue(request, VIEWER_COOKIE)];
  return presented.some((t) => t !== undefined && sameSecret(t, viewerToken));
}

/** Refuses a read (401) when a viewer token is configured and the request lacks it. */
export function requireViewer(request: Request, viewerToken: string | undefined): void {
  if (viewerToken === undefined) return;
  if (!hasViewerToken(request, viewerToken)) {
    throw new HttpError(
      401,
      { error: 'this server requires the viewer token: send Authorization: Bearer <token> or the podnet_viewer cookie' },
      { 'www-authenticate': 'Bearer realm="podnet"' },
    );
  }
}

/** Refuses a write: 401 without a token, 403 with one that is not valid for this cluster. */
export async function requireIngestToken(request: HasHeaders, store: Store, cluster: string): Promise<void> {
  const token = bearerToken(request);
  if (token === undefined) {
    throw new HttpError(
      401,
      { error: 'writing needs an ingest token: send Authorization: Bearer <token> (create one with `podnet token create --cluster NAME`)' },
      { 'www-authenticate': 'Bearer realm="podnet"' },
    );
  }
  if (!(await store.verifyToken(cluster, token))) {
    throw new HttpError(403, { error: `the token is not valid for cluster ${cluster} (unknown, revoked, or created for another cluster)`, field: 'cluster' });
  }
}
