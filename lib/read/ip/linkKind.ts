/**
 * Device kinds as iproute2 names them (`info_kind` in JSON, the first word of
 * a `-d` detail line in text), mapped onto the snapshot's LinkKind.
 */
import type { LinkKind } from '../../snapshot/schema';

const KNOWN: ReadonlyMap<string, LinkKind> = new Map<string, LinkKind>([
  ['veth', 'veth'],
  ['bridge', 'bridge'],
  ['vxlan', 'vxlan'],
  ['ipip', 'ipip'],
  ['geneve', 'geneve'],
  ['wireguard', 'wireguard'],
  ['dummy', 'dummy'],
  ['bond', 'bond'],
  ['vlan', 'vlan'],
  ['macvlan', 'macvlan'],
  ['ipvlan', 'ipvlan'],
  ['tun', 'tun'],
  ['gre', 'gre'],
]);

/**
 * Other `info_kind` values a `-d` detail line may start with. Listed so the
 * text parser recognises the line as a kind line and keeps the raw kind
 * instead of reporting the line as unreadable.
 */
const OTHER_KINDS: ReadonlySet<string> = new Set([
  'gretap',
  'ip6gre',
  'ip6gretap',
  'erspan',
  'ip6erspan',
  'sit',
  'ip6tnl',
  'vti',
  'vti6',
  'vrf',
  'team',
  'nlmon',
  'ifb',
  'macvtap',
  'ipvtap',
  'bareudp',
  'netkit',
  'xfrm',
  'veth_pair',
  'hsr',
  'macsec',
  'openvswitch',
  'batadv',
  'can',
  'vcan',
  'vxcan',
  'gtp',
  'ipoib',
  'lowpan',
  'rmnet',
  'amt',
]);

/** Kind and raw kind for an `info_kind`; `infoKind` is set only when the kind is `other`. */
export function kindFromInfoKind(infoKind: string): { kind: LinkKind; infoKind?: string } {
  const known = KNOWN.get(infoKind);
  if (known !== undefined) return { kind: known };
  return { kind: 'other', infoKind: infoKind.slice(0, 256) };
}

/** True when a `-d` detail line starting with `word` names the device's kind. */
export function isKindWord(word: string): boolean {
  return KNOWN.has(word) || OTHER_KINDS.has(word);
}

/** Tunnel kinds whose `-d` line / `info_data` carries local and remote endpoints. */
export function isTunnelKind(word: string): boolean {
  return (
    word === 'ipip' ||
    word === 'gre' ||
    word === 'sit' ||
    word === 'ip6tnl' ||
    word === 'gretap' ||
    word === 'ip6gre' ||
    word === 'ip6gretap' ||
    word === 'vti' ||
    word === 'vti6' ||
    word === 'geneve'
  );
}
