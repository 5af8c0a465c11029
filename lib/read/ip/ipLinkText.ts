/**
 * `ip addr` / `ip link` text (with or without `-d`, `-4`/`-6`, `show dev X`,
 * `-o` one-line and `-br` brief forms) → links with their addresses.
 *
 * Kinds come only from evidence in the output: `@ifN` (a veth end whose peer
 * is in another namespace), `link/loopback`, `link/ipip`, `link/none`
 * (WireGuard), the `-d` detail line, or — in `-d` output only — the absence
 * of any kind line on an Ethernet device (a physical NIC). Names are never
 * used to guess a kind here; the topology builder does that with care.
 */
import type { Address, Link, LinkKind } from '../../snapshot/schema';
import type { ParseOutput } from '../types';
import { isKindWord, isTunnelKind, kindFromInfoKind } from './linkKind';
import {
  emptyOutput,
  familyOfText,
  ipOrNull,
  isAliasLabel,
  isIfName,
  isMac,
  normalMac,
  numberLines,
  parseInt32,
  parseUint,
  skip,
  tokens,
} from './text';

/** A link and the addresses `ip addr` listed under it. */
export interface LinkWithAddresses {
  link: Link;
  addresses: Address[];
}

interface Block {
  link: Link;
  addresses: Address[];
  /** `link/ether`, `link/loopback`…, without the `link/` prefix. */
  linkType?: string;
  /** `-d` output (a `promiscuity` field appeared). */
  detailed: boolean;
  /** Kind set by a `-d` kind line, which outranks guesses from `@ifN`. */
  kindFromDetail: boolean;
  /** `name@other` where `other` is not `ifN`: a same-namespace peer or a parent device. */
  linkedName?: string;
}

const OPER_STATES = new Set(['UP', 'DOWN', 'UNKNOWN', 'LOWERLAYERDOWN', 'DORMANT', 'NOTPRESENT', 'TESTING']);

// Lines iproute2 prints inside a link block that carry nothing for podnet.
const NOISE_WORDS = new Set([
  'valid_lft',
  'altname',
  'addrgenmode',
  'promiscuity',
  'RX:',
  'TX:',
  'RX',
  'TX',
  'alias',
  'prop',
  'vf',
  'bond_slave',
  'team_slave',
  'cache',
  'numtxqueues',
  'gso_max_size',
  'parentbus',
  'parentdev',
]);

// `N: name[@other]: [<FLAGS>] rest` — the `<FLAGS>` may be missing in web pastes.
const HEADER = /^\s*(\d+):\s*([^\s:@]+)(?:@([^\s:]+))?:(?:\s+(.*))?$/;
// `ip -o addr`: `N: name    inet 10.0.0.1/24 …` (no colon after the name).
const ONELINE_ADDR = /^\s*(\d+):\s+([^\s:@]+)(?:@(\S+))?\s+(inet6?)\s+(.*)$/;

/**
 * Parses the output of `ip addr`, `ip link` and their variants. Never throws;
 * lines it cannot place are returned in `skipped` with their line numbers.
 */
export function parseIpLinkText(lines: readonly string[], firstLine: number, opts: { dev?: string } = {}): ParseOutput<LinkWithAddresses> {
  const out = emptyOutput<LinkWithAddresses>();
  const blocks: Block[] = [];
  const byIndex = new Map<number, Block>();
  let current: Block | undefined;

  for (const { line, text: fullText } of numberLines(lines, firstLine)) {
    // `ip -o` joins a block's lines with `\`; split them back.
    for (const text of fullText.split(/\\(?=\s|$)/)) {
      const toks = tokens(text);
      const first = toks[0];
      if (first === undefined) continue;

      // `2001:db8:…` would look like a blank-less header `2001: db8:`.
      const header = familyOfText(first) === 6 ? null : HEADER.exec(text);
      if (header) {
        const block = startBlock(header, line, out);
        if (block === null) {
          current = undefined;
          out.skipped.push(skip(line, 'interface header with an unusable name or index', text));
          continue;
        }
        blocks.push(block);
        if (block.link.ifindex !== undefined) byIndex.set(block.link.ifindex, block);
        current = block;
        continue;
      }

      if (current === undefined && blocks.length === 0 && opts.dev !== undefined && isIfName(opts.dev) &&
        (first === 'inet' || first === 'inet6' || first.startsWith('link/') || isKindWord(first))) {
        // `ip -d link show flannel.1 | tail -1` keeps only the detail line; the command named the device.
        current = { link: { name: opts.dev }, addresses: [], detailed: isKindWord(first), kindFromDetail: false };
        blocks.push(current);
      }

      const oneline = ONELINE_ADDR.exec(text);
      if (oneline) {
        const ifindex = parseUint(oneline[1]);
        const name = oneline[2] ?? '';
        let block = ifindex === null ? undefined : byIndex.get(ifindex);
        if (block === undefined || block.link.name !== name) {
          block = { link: { name, ...(ifindex !== null ? { ifindex } : {}) }, addresses: [], detailed: false, kindFromDetail: false };
          blocks.push(block);
          if (ifindex !== null) byIndex.set(ifindex, block);
        }
        current = block;
        const reason = addAddress(block, tokens(`${oneline[4] ?? ''} ${oneline[5] ?? ''}`));
        if (reason !== null) out.skipped.push(skip(line, reason, text));
        continue;
      }

      if (first === 'inet' || first === 'inet6') {
        if (current === undefined) {
          out.skipped.push(skip(line, 'address line before any interface header', text));
          continue;
        }
        const reason = addAddress(current, toks);
        if (reason !== null) out.skipped.push(skip(line, reason, text));
        continue;
      }

      if (first.startsWith('link/')) {
        if (current === undefined) {
          out.skipped.push(skip(line, 'link-layer line before any interface header', text));
          continue;
        }
        readLinkLayer(current, toks, line, out);
        continue;
      }

      if (current !== undefined && (first === 'link-netnsid' || first === 'link-netns')) {
        // A paste that wrapped the `link/ether` line.
        readLinkOptions(current, toks, 0, line, out);
        continue;
      }

      if (current !== undefined && (isKindWord(first) || first === 'bridge_slave')) {
        readDetail(current, toks);
        continue;
      }

      if (NOISE_WORDS.has(first) || /^[\d\s]+$/.test(text.trim())) {
        if (current !== undefined && toks.includes('promiscuity')) current.detailed = true;
        continue;
      }

      const brief = readBrief(toks);
      if (brief !== null) {
        blocks.push(brief);
        current = brief;
        continue;
      }

      out.skipped.push(
        skip(
          line,
          current === undefined
            ? 'not ip addr/ip link output: expected an interface header like "2: eth0: <…> mtu 1500 …"'
            : `unrecognised line in the block of interface ${current.link.name}`,
          text,
        ),
      );
    }
  }

  const nameToIndex = new Map<string, number>();
  for (const b of blocks) if (b.link.ifindex !== undefined) nameToIndex.set(b.link.name, b.link.ifindex);
  for (const b of blocks) out.items.push(finish(b, nameToIndex));
  return out;
}

function startBlock(m: RegExpExecArray, line: number, out: ParseOutput<LinkWithAddresses>): Block | null {
  const ifindex = parseUint(m[1]);
  const name = m[2];
  if (ifindex === null || !isIfName(name)) return null;
  const block: Block = { link: { ifindex, name }, addresses: [], detailed: false, kindFromDetail: false };
  const other = m[3];
  if (other !== undefined) {
    const peerIndex = /^if(\d+)$/.exec(other);
    if (peerIndex) {
      const n = parseUint(peerIndex[1]);
      // `@ifN` is printed only for a link whose peer/parent lives in another
      // namespace; for podnet's evidence that is a veth end (macvlan in a pod
      // looks the same, and `-d` corrects the kind when it is present).
      if (n !== null && n > 0) {
        block.link.peer = { ifindex: n };
        block.link.kind = 'veth';
      }
    } else if (other !== 'NONE') {
      block.linkedName = other;
    }
  }
  let rest = m[4] ?? '';
  const flags = /^<([^>]*)>/.exec(rest);
  if (flags) {
    block.link.flags = (flags[1] ?? '').split(',').filter((f) => f.length > 0 && f.length <= 256).slice(0, 64);
    rest = rest.slice(flags[0].length);
  }
  const toks = tokens(rest);
  for (let i = 0; i < toks.length; i++) {
    const key = toks[i];
    const value = toks[i + 1];
    switch (key) {
      case 'mtu': {
        const mtu = parseUint(value);
        if (mtu !== null && mtu <= 1_000_000) block.link.mtu = mtu;
        else out.warnings.push({ line, message: `interface ${name}: unreadable mtu "${value ?? ''}"` });
        i++;
        break;
      }
      case 'master':
        if (isIfName(value)) block.link.master = value;
        i++;
        break;
      case 'state':
        if (value !== undefined && /^[A-Za-z_-]{1,32}$/.test(value)) block.link.operState = value;
        i++;
        break;
      case 'qdisc':
      case 'mode':
      case 'group':
      case 'qlen':
        i++;
        break;
      default:
        break;
    }
  }
  return block;
}

function readLinkLayer(block: Block, toks: string[], line: number, out: ParseOutput<LinkWithAddresses>): void {
  const type = (toks[0] ?? '').slice('link/'.length);
  block.linkType = type;
  const addr = toks[1];
  switch (type) {
    case 'loopback':
      if (!block.kindFromDetail) block.link.kind = 'loopback';
      break;
    case 'ipip': {
      if (!block.kindFromDetail) block.link.kind = 'ipip';
      // `link/ipip LOCAL peer REMOTE`; 0.0.0.0 means "any" (tunl0 in Calico).
      const local = ipOrNull(addr);
      const peerAt = toks.indexOf('peer');
      const brdAt = toks.indexOf('brd');
      const remoteText = peerAt >= 0 ? toks[peerAt + 1] : brdAt >= 0 ? toks[brdAt + 1] : undefined;
      const remote = ipOrNull(remoteText);
      if (block.link.tunnel === undefined) {
        block.link.tunnel = {
          mode: 'ipip',
          ...(local !== null && local !== '0.0.0.0' ? { local } : {}),
          ...(remote !== null && remote !== '0.0.0.0' ? { remote } : {}),
        };
      }
      break;
    }
    case 'none':
      // WireGuard devices are the L3 devices podnet meets (`wireguard.cali`, `flannel-wg`).
      if (!block.kindFromDetail && block.link.kind === undefined) block.link.kind = 'wireguard';
      break;
    default:
      break;
  }
  if ((type === 'ether' || type === 'loopback') && isMac(addr)) block.link.mac = normalMac(addr);
  readLinkOptions(block, toks, 2, line, out);
}

function readLinkOptions(block: Block, toks: string[], from: number, line: number, out: ParseOutput<LinkWithAddresses>): void {
  for (let i = from; i < toks.length; i++) {
    const key = toks[i];
    const value = toks[i + 1];
    if (key === 'link-netnsid') {
      const id = parseInt32(value);
      if (id !== null && id >= -1) block.link.peer = { ...block.link.peer, netnsId: id };
      else out.warnings.push({ line, message: `interface ${block.link.name}: unreadable link-netnsid "${value ?? ''}"` });
      i++;
    } else if (key === 'link-netns') {
      if (value !== undefined && value.length <= 256) block.link.peer = { ...block.link.peer, netnsName: value };
      i++;
    } else if (key === 'promiscuity') {
      block.detailed = true;
    }
  }
}

function readDetail(block: Block, toks: string[]): void {
  const word = toks[0] ?? '';
  if (toks.includes('promiscuity')) block.detailed = true;
  if (word === 'bridge_slave') {
    const at = toks.indexOf('proxy_arp');
    const v = at >= 0 ? toks[at + 1] : undefined;
    if (v === 'on') block.link.proxyArp = true;
    else if (v === 'off') block.link.proxyArp = false;
    return;
  }
  block.detailed = true;
  const { kind, infoKind } = kindFromInfoKind(word);
  block.link.kind = kind;
  block.kindFromDetail = true;
  if (infoKind !== undefined) block.link.infoKind = infoKind;
  else delete block.link.infoKind;
  if (word === 'vxlan') readVxlan(block, toks);
  else if (isTunnelKind(word)) readTunnel(block, word, toks);
}

function valueAfter(toks: string[], key: string): string | undefined {
  const at = toks.indexOf(key);
  return at >= 0 ? toks[at + 1] : undefined;
}

function readVxlan(block: Block, toks: string[]): void {
  const id = parseUint(valueAfter(toks, 'id'));
  if (id === null || id > 16777215) return;
  const remote = ipOrNull(valueAfter(toks, 'remote'));
  const group = ipOrNull(valueAfter(toks, 'group'));
  const local = ipOrNull(valueAfter(toks, 'local'));
  const dev = valueAfter(toks, 'dev');
  const port = parseUint(valueAfter(toks, 'dstport'));
  const ttl = parseUint(valueAfter(toks, 'ttl'));
  block.link.vxlan = {
    id,
    ...(local !== null ? { local } : {}),
    ...(remote !== null ? { remote } : {}),
    ...(group !== null ? { group } : {}),
    ...(isIfName(dev) ? { dev } : {}),
    ...(port !== null && port <= 65535 ? { port } : {}),
    // iproute2 prints `nolearning` whenever learning is off, so its absence on a detail line means on.
    learning: !toks.includes('nolearning'),
    // These words are printed only when set.
    ...(toks.includes('proxy') ? { proxy: true } : {}),
    ...(toks.includes('l2miss') ? { l2miss: true } : {}),
    ...(toks.includes('l3miss') ? { l3miss: true } : {}),
    ...(ttl !== null ? { ttl } : {}),
  };
}

function readTunnel(block: Block, word: string, toks: string[]): void {
  const remote = ipOrNull(valueAfter(toks, 'remote'));
  const local = ipOrNull(valueAfter(toks, 'local'));
  const dev = valueAfter(toks, 'dev');
  const ttl = parseUint(valueAfter(toks, 'ttl'));
  block.link.tunnel = {
    mode: word,
    ...(local !== null ? { local } : {}),
    ...(remote !== null ? { remote } : {}),
    ...(isIfName(dev) ? { dev } : {}),
    ...(ttl !== null ? { ttl } : {}),
  };
}

/** Adds an `inet`/`inet6` line's address; returns a skip reason when it cannot. */
function addAddress(block: Block, toks: string[]): string | null {
  const fam = toks[0] === 'inet6' ? 6 : 4;
  const parsed = readAddress(block.link.name, fam, toks.slice(1));
  if (typeof parsed === 'string') return parsed;
  block.addresses.push({ ...parsed, ...(block.link.ifindex !== undefined ? { ifindex: block.link.ifindex } : {}) });
  return null;
}

function splitAddr(text: string | undefined): { ip: string; len?: number } | null {
  if (text === undefined) return null;
  const slash = text.indexOf('/');
  const ip = ipOrNull(slash >= 0 ? text.slice(0, slash) : text);
  if (ip === null) return null;
  if (slash < 0) return { ip };
  const len = parseUint(text.slice(slash + 1));
  if (len === null) return null;
  return { ip, len };
}

/** Reads `ADDR[/LEN] [peer P[/LEN]] [brd B] [scope S] [flags…] [label]`. */
function readAddress(ifname: string, fam: 4 | 6, toks: string[]): Address | string {
  const main = splitAddr(toks[0]);
  if (main === null) return `expected an IPv${fam} address after inet${fam === 6 ? '6' : ''}`;
  if (familyOfText(main.ip) !== fam) return `address ${toks[0] ?? ''} is not IPv${fam}`;
  const max = fam === 4 ? 32 : 128;
  const addr: Address = { ifname, family: fam, local: main.ip, prefixlen: main.len ?? max };
  for (let i = 1; i < toks.length; i++) {
    const key = toks[i] ?? '';
    const value = toks[i + 1];
    switch (key) {
      case 'peer': {
        const peer = splitAddr(value);
        if (peer !== null) {
          addr.peer = peer.ip;
          if (peer.len !== undefined) addr.prefixlen = peer.len;
        }
        i++;
        break;
      }
      case 'brd': {
        const b = ipOrNull(value);
        if (b !== null) addr.broadcast = b;
        i++;
        break;
      }
      case 'scope':
        if (value !== undefined && value.length <= 256) addr.scope = value;
        i++;
        break;
      case 'metric':
      case 'proto':
      case 'valid_lft':
      case 'preferred_lft':
        i++;
        break;
      case 'secondary':
        addr.secondary = true;
        break;
      default:
        // The kernel requires an IPv4 label to start with the device name.
        if (fam === 4 && isAliasLabel(key, ifname)) addr.label = key;
        break;
    }
  }
  if (addr.prefixlen > max) return `prefix length ${addr.prefixlen} is too long for IPv${fam}`;
  return addr;
}

/** `ip -br link` / `ip -br addr`: `name[@peer]  STATE  (MAC <FLAGS> | ADDR/LEN …)`. */
function readBrief(toks: string[]): Block | null {
  const nameTok = toks[0];
  const state = toks[1];
  if (nameTok === undefined || state === undefined || !OPER_STATES.has(state)) return null;
  const m = /^([^\s:@]+)(?:@(\S+))?$/.exec(nameTok);
  if (!m || !isIfName(m[1])) return null;
  const block: Block = { link: { name: m[1], operState: state }, addresses: [], detailed: false, kindFromDetail: false };
  const other = m[2];
  if (other !== undefined) {
    const peerIndex = /^if(\d+)$/.exec(other);
    const n = peerIndex ? parseUint(peerIndex[1]) : null;
    if (n !== null && n > 0) {
      block.link.peer = { ifindex: n };
      block.link.kind = 'veth';
    } else if (other !== 'NONE') block.linkedName = other;
  }
  for (let i = 2; i < toks.length; i++) {
    const t = toks[i] ?? '';
    if (t.startsWith('<') && t.endsWith('>')) {
      block.link.flags = t.slice(1, -1).split(',').filter((f) => f.length > 0).slice(0, 64);
    } else if (isMac(t) && !t.includes('::')) {
      block.link.mac = normalMac(t);
    } else if (toks[i + 1] === 'peer') {
      const fam = familyOfText(t) ?? 4;
      const a = readAddress(block.link.name, fam, [t, 'peer', toks[i + 2] ?? '']);
      if (typeof a !== 'string') block.addresses.push(a);
      i += 2;
    } else {
      const fam = familyOfText(t);
      if (fam !== null) {
        const a = readAddress(block.link.name, fam, [t]);
        if (typeof a !== 'string') {
          // -br prints no scope; the kernel gives these ranges link/host scope, and node addresses must skip them.
          if (/^fe[89ab][0-9a-f]:/i.test(a.local)) a.scope = 'link';
          else if (a.local === '::1' || a.local.startsWith('127.')) a.scope = 'host';
          block.addresses.push(a);
        }
      }
    }
  }
  return block;
}

function finish(b: Block, nameToIndex: Map<string, number>): LinkWithAddresses {
  const link = b.link;
  let kind: LinkKind | undefined = link.kind;
  // In `-d` output every virtual device prints a kind line; an Ethernet link without one is a NIC.
  if (kind === undefined && b.detailed && b.linkType === 'ether') kind = 'device';
  // `tunl0` is the name the ipip module gives its fallback device (remote any, local any), and
  // no other device can take it once the module is loaded: `ip -4 a` and `ip -br a` print no
  // `link/ipip` line, yet Calico's tunnel must still decapsulate in the trace.
  if (kind === undefined && link.name === 'tunl0') kind = 'ipip';
  if (kind !== undefined) link.kind = kind;
  if (kind === 'veth' && b.linkedName !== undefined && link.peer?.ifindex === undefined) {
    // `veth0@veth1`: the peer is in this namespace and iproute2 printed its name.
    const idx = nameToIndex.get(b.linkedName);
    if (idx !== undefined) link.peer = { ...link.peer, ifindex: idx };
  }
  if (b.kindFromDetail && kind !== 'veth' && link.peer !== undefined) {
    // `@ifN` of a macvlan/ipvlan/vlan names its parent, not a veth peer.
    delete link.peer;
  }
  return { link, addresses: b.addresses };
}
