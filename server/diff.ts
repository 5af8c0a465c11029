/**
 * What changed between two snapshots of one node: interfaces, addresses,
 * routes, neighbours and FDB entries, per namespace. Items are keyed the way
 * the kernel keys them (a route by type, destination, table and metric; a
 * neighbour by address and device), so a changed gateway shows as one
 * `changed` entry rather than a removal plus an addition. Pure.
 */
import type { DiffEntry } from '../lib/api/types';
import type { Address, FdbEntry, Link, Neighbour, NetnsSnapshot, Route, Snapshot } from '../lib/snapshot/schema';

type Section = DiffEntry['section'];

function words(parts: Array<string | number | false | undefined | null>): string {
  return parts.filter((p) => p !== undefined && p !== null && p !== false && p !== '').join(' ');
}

function linkKey(l: Link): string {
  return l.name;
}
function linkText(l: Link): string {
  return words([
    l.kind ?? l.infoKind,
    l.ifindex !== undefined && `ifindex ${l.ifindex}`,
    l.mtu !== undefined && `mtu ${l.mtu}`,
    l.mac,
    l.operState && `state ${l.operState}`,
    l.flags && `<${l.flags.join(',')}>`,
    l.master && `master ${l.master}`,
    l.peer?.ifindex !== undefined && `peer @if${l.peer.ifindex}`,
    l.peer?.netnsId !== undefined && `link-netnsid ${l.peer.netnsId}`,
    l.vxlan && `vxlan id ${l.vxlan.id}${l.vxlan.local ? ` local ${l.vxlan.local}` : ''}${l.vxlan.dev ? ` dev ${l.vxlan.dev}` : ''}${l.vxlan.port !== undefined ? ` dstport ${l.vxlan.port}` : ''}`,
    l.tunnel && `${l.tunnel.mode}${l.tunnel.local ? ` local ${l.tunnel.local}` : ''}${l.tunnel.remote ? ` remote ${l.tunnel.remote}` : ''}`,
  ]);
}

function addressKey(a: Address): string {
  return `${a.local}/${a.prefixlen} dev ${a.ifname}`;
}
function addressText(a: Address): string {
  return words([`${a.local}/${a.prefixlen}`, a.peer && `peer ${a.peer}`, a.scope && `scope ${a.scope}`, a.secondary && 'secondary', a.label && `label ${a.label}`]);
}

function routeKey(r: Route): string {
  return words([r.type !== 'unicast' && r.type, r.dst, `table ${r.table}`, r.metric !== undefined && `metric ${r.metric}`]);
}
function routeText(r: Route): string {
  return words([
    r.type !== 'unicast' && r.type,
    r.dst,
    r.gateway && `via ${r.gateway}`,
    r.dev && `dev ${r.dev}`,
    r.protocol && `proto ${r.protocol}`,
    r.scope && `scope ${r.scope}`,
    r.prefsrc && `src ${r.prefsrc}`,
    r.metric !== undefined && `metric ${r.metric}`,
    r.mtu !== undefined && `mtu ${r.mtu}`,
    ...(r.flags ?? []),
    ...(r.nexthops ?? []).map((n) => words(['nexthop', n.gateway && `via ${n.gateway}`, n.dev && `dev ${n.dev}`, n.weight !== undefined && `weight ${n.weight}`])),
  ]);
}

function neighbourKey(n: Neighbour): string {
  return `${n.dst} dev ${n.dev}`;
}
function neighbourText(n: Neighbour): string {
  return words([n.lladdr ? `lladdr ${n.lladdr}` : undefined, n.router && 'router', ...(n.state ?? [])]);
}

function fdbKey(f: FdbEntry): string {
  // VXLAN devices hold several all-zero entries (one per flood destination):
  // there the remote is part of the identity.
  const flood = /^(00:){5}00$/.test(f.mac);
  return words([f.mac, `dev ${f.dev}`, f.vlan !== undefined && `vlan ${f.vlan}`, flood && f.dst && `dst ${f.dst}`]);
}
function fdbText(f: FdbEntry): string {
  return words([f.mac, `dev ${f.dev}`, f.dst && `dst ${f.dst}`, f.master && `master ${f.master}`, f.vni !== undefined && `vni ${f.vni}`, ...(f.flags ?? []), f.state]);
}

/** Groups items by key; items sharing a key are compared as one sorted set. */
function keyed<T>(items: readonly T[] | undefined, key: (t: T) => string, text: (t: T) => string): Map<string, string> {
  const groups = new Map<string, string[]>();
  for (const item of items ?? []) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(text(item));
    else groups.set(k, [text(item)]);
  }
  const out = new Map<string, string>();
  for (const [k, list] of groups) out.set(k, list.sort().join(' | '));
  return out;
}

function compare(netns: string, section: Section, before: Map<string, string>, after: Map<string, string>, out: DiffEntry[]): void {
  for (const [key, b] of before) {
    const a = after.get(key);
    if (a === undefined) out.push({ netns, section, change: 'removed', key, before: b });
    else if (a !== b) out.push({ netns, section, change: 'changed', key, before: b, after: a });
  }
  for (const [key, a] of after) {
    if (!before.has(key)) out.push({ netns, section, change: 'added', key, after: a });
  }
}

function sections(ns: NetnsSnapshot | undefined): Record<Section, Map<string, string>> {
  return {
    interfaces: keyed(ns?.links, linkKey, linkText),
    addresses: keyed(ns?.addresses, addressKey, addressText),
    routes: keyed(ns?.routes, routeKey, routeText),
    neighbours: keyed(ns?.neighbours, neighbourKey, neighbourText),
    fdb: keyed(ns?.fdb, fdbKey, fdbText),
  };
}

const SECTION_ORDER: readonly Section[] = ['interfaces', 'addresses', 'routes', 'neighbours', 'fdb'];

/**
 * Changes from `before` to `after`, namespaces matched by name, ordered by
 * namespace (host first), section, then key.
 */
export function diffSnapshots(before: Snapshot, after: Snapshot): DiffEntry[] {
  const names = new Set<string>([...before.namespaces.map((n) => n.name), ...after.namespaces.map((n) => n.name)]);
  const ordered = [...names].sort((a, b) => (a === 'host' ? -1 : b === 'host' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const out: DiffEntry[] = [];
  for (const name of ordered) {
    const b = sections(before.namespaces.find((n) => n.name === name));
    const a = sections(after.namespaces.find((n) => n.name === name));
    for (const section of SECTION_ORDER) {
      const start = out.length;
      compare(name, section, b[section], a[section], out);
      const part = out.splice(start).sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
      out.push(...part);
    }
  }
  return out;
}
