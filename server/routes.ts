/**
 * The shell every route handler shares: viewer authentication for reads,
 * URL parsing, JSON answers and error mapping. Handlers stay one call long.
 */
import { requireViewer } from './auth';
import { serverConfig } from './data';
import { answer, json } from './http';

/** Route params as Next 16 passes them. */
export interface RouteCtx<P> {
  params: Promise<P>;
}

/** A read: needs the viewer token when one is configured; answers 200 with `fn`'s value. */
export function readRoute(request: Request, fn: (url: URL) => Promise<unknown>): Promise<Response> {
  return answer(async () => {
    requireViewer(request, serverConfig().viewerToken);
    return json(await fn(new URL(request.url)));
  });
}

/** A write or a computation on an upload: authorisation is `fn`'s job; answers with `status`. */
export function writeRoute(request: Request, status: number, fn: (url: URL) => Promise<unknown>): Promise<Response> {
  return answer(async () => json(await fn(new URL(request.url)), status));
}
