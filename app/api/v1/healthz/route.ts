import { health } from '@/server/data';
import { answer, json } from '@/server/http';

export const dynamic = 'force-dynamic';

/** The server and its store answer (no token: probes have none, and it tells nothing about the clusters). */
export function GET(): Promise<Response> {
  return answer(async () => json(await health()));
}
