/**
 * `ip -j netns list-id` → namespace ids as seen from the namespace it ran in.
 */
import type { NetnsId } from '../../snapshot/schema';
import type { ParseOutput } from '../types';
import { int, readArray, str, type JsonReadOptions } from './json';

/** Reads `ip -j netns list-id`. Never throws; unusable items come back in `skipped` by array index. */
export function readNetnsListIdJson(value: unknown, opts: JsonReadOptions = {}): ParseOutput<NetnsId> {
  return readArray<NetnsId>(value, 'ip -j netns list-id', opts, (o) => {
    const nsid = int(o, 'nsid', -1, 2 ** 31);
    if (nsid === undefined) return 'no usable "nsid"';
    const e: NetnsId = { nsid };
    const name = str(o, 'name');
    if (name !== undefined && name.length > 0 && name.length <= 256) e.name = name;
    const current = int(o, 'current-nsid', -(2 ** 31), 2 ** 31);
    if (current !== undefined) e.currentNsid = current;
    return e;
  });
}
