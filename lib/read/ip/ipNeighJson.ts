/**
 * `ip -j neigh show` → neighbour entries.
 */
import type { Neighbour } from '../../snapshot/schema';
import type { ParseOutput } from '../types';
import { flag, readArray, str, strArray, type JsonReadOptions } from './json';
import { ipOrNull, isIfName, isMac, normalMac } from './text';

/** Reads `ip -j neigh show`. Never throws; unusable items come back in `skipped` by array index. */
export function readIpNeighJson(value: unknown, opts: JsonReadOptions = {}): ParseOutput<Neighbour> {
  return readArray<Neighbour>(value, 'ip -j neigh show', opts, (o) => {
    const dst = ipOrNull(str(o, 'dst'));
    if (dst === null) return 'no usable "dst" address';
    const dev = str(o, 'dev');
    if (!isIfName(dev)) return 'no usable "dev"';
    const n: Neighbour = { dst, dev };
    const lladdr = str(o, 'lladdr');
    if (isMac(lladdr)) n.lladdr = normalMac(lladdr);
    const single = str(o, 'state');
    const state = strArray(o, 'state', 8) ?? (single !== undefined && single.length > 0 && single.length <= 256 ? [single] : undefined);
    if (state !== undefined && state.length > 0) n.state = state;
    if (flag(o, 'router')) n.router = true;
    return n;
  });
}
