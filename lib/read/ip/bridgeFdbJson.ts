/**
 * `bridge -j fdb show` → forwarding-database entries.
 */
import type { FdbEntry } from '../../snapshot/schema';
import type { ParseOutput } from '../types';
import { int, readArray, str, strArray, type JsonReadOptions } from './json';
import { ipOrNull, isIfName, isMac, normalMac } from './text';

/** Reads `bridge -j fdb show`. Never throws; unusable items come back in `skipped` by array index. */
export function readBridgeFdbJson(value: unknown, opts: JsonReadOptions = {}): ParseOutput<FdbEntry> {
  return readArray<FdbEntry>(value, 'bridge -j fdb show', opts, (o) => {
    const mac = str(o, 'mac');
    if (!isMac(mac)) return 'no usable "mac"';
    const dev = str(o, 'ifname') ?? str(o, 'dev');
    if (!isIfName(dev)) return 'no usable "ifname"';
    const e: FdbEntry = { mac: normalMac(mac), dev };
    const master = str(o, 'master');
    if (isIfName(master)) e.master = master;
    const dst = ipOrNull(str(o, 'dst'));
    if (dst !== null) e.dst = dst;
    const vlan = int(o, 'vlan', 0, 4095);
    if (vlan !== undefined) e.vlan = vlan;
    const vni = int(o, 'vni', 0, 16777215) ?? int(o, 'src_vni', 0, 16777215);
    if (vni !== undefined) e.vni = vni;
    const port = int(o, 'port', 0, 65535);
    if (port !== undefined) e.port = port;
    const flags = strArray(o, 'flags', 16);
    if (flags !== undefined && flags.length > 0) e.flags = flags;
    const state = str(o, 'state');
    // Learned entries print `"state": ""`.
    if (state !== undefined && state.length > 0 && state.length <= 256) e.state = state;
    return e;
  });
}
