/**
 * Viewer authentication for the dashboard's pages. When PODNET_VIEWER_TOKEN
 * is set, a page request needs the token as a bearer token or in the
 * `podnet_viewer` cookie; opening any page once with `?viewer_token=TOKEN`
 * sets the cookie and redirects to the clean URL.
 *
 * API routes are excluded by the matcher and check the token themselves
 * (server/routes.ts): a proxy makes Next buffer request bodies (10 MB by
 * default, silently truncated beyond), which would break the ingest limit.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { hasViewerToken, sameSecret, VIEWER_COOKIE } from './server/auth';

const LOGIN_PARAM = 'viewer_token';

export function proxy(request: NextRequest): NextResponse {
  const viewerToken = process.env.PODNET_VIEWER_TOKEN;
  if (!viewerToken) return NextResponse.next();
  const offered = request.nextUrl.searchParams.get(LOGIN_PARAM);
  if (offered !== null && sameSecret(offered, viewerToken)) {
    const clean = request.nextUrl.clone();
    clean.searchParams.delete(LOGIN_PARAM);
    const res = NextResponse.redirect(clean, 303);
    res.cookies.set(VIEWER_COOKIE, viewerToken, {
      httpOnly: true,
      sameSite: 'lax',
      secure: request.nextUrl.protocol === 'https:',
      path: '/',
      maxAge: 60 * 60 * 24 * 30,
    });
    return res;
  }
  if (hasViewerToken(request, viewerToken)) return NextResponse.next();
  return new NextResponse('This podnet server requires the viewer token: open any page once with ?viewer_token=TOKEN.\n', {
    status: 401,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="podnet"', 'cache-control': 'no-store' },
  });
}

export const config = {
  matcher: ['/((?!api/|_next/static|_next/image|favicon.ico).*)'],
};
