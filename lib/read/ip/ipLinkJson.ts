/**
 * `ip -j [-d] link show` and `ip -j [-d] addr show` → links (with addresses).
 */
import type { Address, Link, TunnelInfo, VxlanInfo } from '../../snapshot/schema';
import type { ParseOutput } from '../types';
import type { LinkWithAddresses } from './ipLinkText';
import { flag, int, isObject, readArray, str, strArray, type JsonObject, type JsonReadOptions } from './json';
import { isTunnelKind, kindFromInfoKind } from './linkKind';
import { familyOfText, ipOrNull, isAliasLabel, isIfName, isMac, normalMac } from './text';

/** Keys only `-d` prints; their presence tells a NIC (no `linkinfo`) from an undetailed listing. */
const DETAIL_KEYS = ['promiscuity', 'num_tx_queues', 'min_mtu', 'inet6_addr_gen_mode'];

/** ifindex → name of every link in the document, to resolve `info_data.link` and same-namespace peers. */
function linkNames(value: unknown): { byIndex: Map<number, string>; byName: Map<string, number> } {
  const byIndex = new Map<number, string>();
  const byName = new Map<string, number>();
  if (!Array.isArray(value)) return { byIndex, byName };
  for (const item of value as unknown[]) {
    if (!isObject(item)) continue;
    const idx = int(item, 'ifindex');
    const name = str(item, 'ifname');
    if (idx !== undefined && name !== undefined) {
      byIndex.set(idx, name);
      byName.set(name, idx);
    }
  }
  return { byIndex, byName };
}

type Names = ReturnType<typeof linkNames>;

/** A device name given as a name or (older iproute2) as an ifindex. */
function devName(v: unknown, names: Names): string | undefined {
  if (typeof v === 'string' && isIfName(v)) return v;
  if (typeof v === 'number') return names.byIndex.get(v);
  return undefined;
}

function firstIp(o: JsonObject, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const ip = ipOrNull(str(o, k));
    if (ip !== null) return ip;
  }
  return undefined;
}

function readVxlan(data: JsonObject, names: Names, ifname: string, out: ParseOutput<unknown>): VxlanInfo | undefined {
  const id = int(data, 'id', 0, 16777215);
  if (id === undefined) return undefined;
  const vx: VxlanInfo = { id };
  const local = firstIp(data, 'local', 'local6');
  const remote = firstIp(data, 'remote', 'remote6');
  const group = firstIp(data, 'group', 'group6');
  if (local !== undefined) vx.local = local;
  if (remote !== undefined) vx.remote = remote;
  if (group !== undefined) vx.group = group;
  if ('link' in data) {
    const dev = devName(data.link, names);
    if (dev !== undefined) vx.dev = dev;
    else out.warnings.push({ message: `${ifname}: VXLAN underlay device ifindex ${String(data.link)} is not among the links of this document` });
  }
  const port = int(data, 'port', 0, 65535);
  if (port !== undefined) vx.port = port;
  if (typeof data.learning === 'boolean') vx.learning = data.learning;
  // iproute2 writes these keys only when the flag is set.
  if (data.proxy === true) vx.proxy = true;
  if (data.l2miss === true) vx.l2miss = true;
  if (data.l3miss === true) vx.l3miss = true;
  // ttl 0 is "auto"/"inherit", which text prints as a word and the schema leaves out.
  const ttl = int(data, 'ttl', 1, 255);
  if (ttl !== undefined) vx.ttl = ttl;
  return vx;
}

function readTunnel(kind: string, data: JsonObject, names: Names): TunnelInfo {
  const t: TunnelInfo = { mode: kind };
  const local = firstIp(data, 'local', 'local6');
  const remote = firstIp(data, 'remote', 'remote6');
  if (local !== undefined && local !== '0.0.0.0' && local !== '::') t.local = local;
  if (remote !== undefined && remote !== '0.0.0.0' && remote !== '::') t.remote = remote;
  if ('link' in data) {
    const dev = devName(data.link, names);
    if (dev !== undefined) t.dev = dev;
  }
  const ttl = int(data, 'ttl', 1, 255);
  if (ttl !== undefined) t.ttl = ttl;
  return t;
}

function readLink(o: JsonObject, names: Names, out: ParseOutput<unknown>): Link | string {
  const name = str(o, 'ifname');
  if (!isIfName(name)) return 'no usable "ifname"';
  const link: Link = { name };
  const ifindex = int(o, 'ifindex', 0, 2 ** 31);
  if (ifindex !== undefined) link.ifindex = ifindex;
  const mtu = int(o, 'mtu', 0, 1_000_000);
  if (mtu !== undefined) link.mtu = mtu;
  const address = str(o, 'address');
  if (isMac(address)) link.mac = normalMac(address);
  const flags = strArray(o, 'flags', 64);
  if (flags !== undefined) link.flags = flags;
  const oper = str(o, 'operstate');
  if (oper !== undefined && oper.length > 0 && oper.length <= 256) link.operState = oper;
  const master = str(o, 'master');
  if (isIfName(master)) link.master = master;

  const linkType = str(o, 'link_type');
  const info = isObject(o.linkinfo) ? o.linkinfo : undefined;
  const infoKind = info !== undefined ? str(info, 'info_kind') : undefined;
  const data = info !== undefined && isObject(info.info_data) ? info.info_data : undefined;
  if (infoKind !== undefined && infoKind.length > 0) {
    const k = kindFromInfoKind(infoKind);
    link.kind = k.kind;
    if (k.infoKind !== undefined) link.infoKind = k.infoKind;
    if (infoKind === 'vxlan' && data !== undefined) {
      const vx = readVxlan(data, names, name, out);
      if (vx !== undefined) link.vxlan = vx;
    } else if (isTunnelKind(infoKind) && data !== undefined) {
      link.tunnel = readTunnel(infoKind, data, names);
    }
  } else if (linkType === 'loopback') {
    link.kind = 'loopback';
  } else if (linkType === 'ipip') {
    link.kind = 'ipip';
    const local = ipOrNull(address);
    // A point-to-point link prints its peer as "broadcast" (text: `peer`).
    const remote = ipOrNull(str(o, 'broadcast'));
    link.tunnel = {
      mode: 'ipip',
      ...(local !== null && local !== '0.0.0.0' ? { local } : {}),
      ...(remote !== null && remote !== '0.0.0.0' ? { remote } : {}),
    };
  } else if (linkType === 'none') {
    // Consistent with the text reader: `link/none` devices in pod networking are WireGuard.
    link.kind = 'wireguard';
  } else if (linkType === 'ether' && info === undefined && DETAIL_KEYS.some((k) => k in o)) {
    link.kind = 'device';
  }
  if (info !== undefined && isObject(info.info_slave_data)) {
    const p = info.info_slave_data.proxy_arp;
    if (typeof p === 'boolean') link.proxyArp = p;
    else if (p === 'on' || p === 'off') link.proxyArp = p === 'on';
  }

  // Peer: `link_index` + `link_netnsid` when the other end is in another
  // namespace; `link` (a name) when it is in this one.
  const linkIndex = int(o, 'link_index', 1, 2 ** 31);
  const netnsId = int(o, 'link_netnsid', -1, 2 ** 31);
  const netnsName = str(o, 'link_netns');
  if (link.kind === undefined && linkIndex !== undefined) link.kind = 'veth';
  if (link.kind === 'veth') {
    const peer: NonNullable<Link['peer']> = {};
    if (linkIndex !== undefined) peer.ifindex = linkIndex;
    else {
      const peerName = str(o, 'link');
      const idx = peerName !== undefined ? names.byName.get(peerName) : undefined;
      if (idx !== undefined) peer.ifindex = idx;
    }
    if (netnsId !== undefined) peer.netnsId = netnsId;
    if (netnsName !== undefined && netnsName.length > 0 && netnsName.length <= 256) peer.netnsName = netnsName;
    if (Object.keys(peer).length > 0) link.peer = peer;
  }
  return link;
}

function readAddrInfo(a: unknown, link: Link): Address | string {
  if (!isObject(a)) return 'addr_info entry is not an object';
  const fam = str(a, 'family');
  if (fam !== 'inet' && fam !== 'inet6') return `addr_info family "${String(fam)}" is not inet/inet6`;
  const family = fam === 'inet' ? 4 : 6;
  const local = ipOrNull(str(a, 'local'));
  if (local === null || familyOfText(local) !== family) return 'addr_info entry without a usable "local" address';
  const max = family === 4 ? 32 : 128;
  const prefixlen = int(a, 'prefixlen', 0, max) ?? max;
  const addr: Address = { ifname: link.name, family, local, prefixlen };
  if (link.ifindex !== undefined) addr.ifindex = link.ifindex;
  const peer = ipOrNull(str(a, 'address'));
  if (peer !== null) addr.peer = peer;
  const brd = ipOrNull(str(a, 'broadcast'));
  if (brd !== null) addr.broadcast = brd;
  const scope = str(a, 'scope');
  if (scope !== undefined && scope.length > 0 && scope.length <= 256) addr.scope = scope;
  const label = str(a, 'label');
  // Stored only when it differs from the device name (an alias like `eth0:1`), as the text reader does.
  if (isAliasLabel(label, link.name)) addr.label = label;
  if (flag(a, 'secondary')) addr.secondary = true;
  return addr;
}

/** Reads `ip -j [-d] link show`. Never throws; unusable items come back in `skipped` by array index. */
export function readIpLinkJson(value: unknown, opts: JsonReadOptions = {}): ParseOutput<Link> {
  const names = linkNames(value);
  return readArray<Link>(value, 'ip -j link show', opts, (o, _i, out) => readLink(o, names, out));
}

/** Reads `ip -j [-d] addr show`: links with their `addr_info`. Never throws. */
export function readIpAddrJson(value: unknown, opts: JsonReadOptions = {}): ParseOutput<LinkWithAddresses> {
  const names = linkNames(value);
  return readArray<LinkWithAddresses>(value, 'ip -j addr show', opts, (o, index, out) => {
    const link = readLink(o, names, out);
    if (typeof link === 'string') return link;
    const addresses: Address[] = [];
    const infos = Array.isArray(o.addr_info) ? (o.addr_info as unknown[]) : [];
    infos.forEach((a, j) => {
      // `ip -j -4 addr` prints `{}` in addr_info for filtered-out families.
      if (isObject(a) && Object.keys(a).length === 0) return;
      const r = readAddrInfo(a, link);
      if (typeof r === 'string') out.warnings.push({ message: `item [${index}] (${link.name}) addr_info[${j}]: ${r}; ignored` });
      else addresses.push(r);
    });
    return { link, addresses };
  });
}
