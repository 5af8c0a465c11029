import { describe, it, expect } from 'vitest';
import { parseIpLinkText, type LinkWithAddresses } from './ipLinkText';
import { fixtureLines, fixtureSlice } from './fixtures/load';

function byName(items: LinkWithAddresses[], name: string): LinkWithAddresses {
  const found = items.find((i) => i.link.name === name);
  if (!found) throw new Error(`no link ${name} in ${items.map((i) => i.link.name).join(',')}`);
  return found;
}

const CAPTURE = 'captures/cni0-host-routes-single-node.txt';

describe('parseIpLinkText on real captures', () => {
  it('reads the pod side of a veth: eth0@if220 names host ifindex 220', () => {
    const [lines, first] = fixtureSlice(CAPTURE, 5, 8);
    const r = parseIpLinkText(lines, first);
    expect(r.skipped).toEqual([]);
    expect(r.items.map((i) => i.link.name)).toEqual(['lo', 'eth0']);
    const eth0 = byName(r.items, 'eth0').link;
    expect(eth0).toMatchObject({ ifindex: 2, kind: 'veth', peer: { ifindex: 220 }, mtu: 1500, operState: 'UP', mac: 'c2:ce:72:1b:97:6e' });
    expect(eth0.flags).toEqual(['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP', 'M-DOWN']);
    expect(byName(r.items, 'lo').link.kind).toBe('loopback');
  });

  it('reads the host side: veth12acb4c1@if2, port of cni0, peer in netns id 50', () => {
    const [lines, first] = fixtureSlice(CAPTURE, 14, 15);
    const r = parseIpLinkText(lines, first);
    expect(r.skipped).toEqual([]);
    expect(r.items[0]?.link).toEqual({
      ifindex: 220,
      name: 'veth12acb4c1',
      kind: 'veth',
      peer: { ifindex: 2, netnsId: 50 },
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      mtu: 1500,
      master: 'cni0',
      operState: 'UP',
      mac: 'be:78:61:7f:a4:25',
    });
  });

  it('reads cni0 with its gateway address and broadcast, ignoring valid_lft lines', () => {
    const [lines, first] = fixtureSlice(CAPTURE, 37, 42);
    const r = parseIpLinkText(lines, first);
    expect(r.skipped).toEqual([]);
    const cni0 = byName(r.items, 'cni0');
    expect(cni0.link.kind).toBeUndefined();
    expect(cni0.addresses).toEqual([
      { ifname: 'cni0', ifindex: 7, family: 4, local: '172.22.0.1', prefixlen: 24, broadcast: '172.22.0.255', scope: 'global' },
      { ifname: 'cni0', ifindex: 7, family: 6, local: 'fe80::a88d:2fff:fe44:14b0', prefixlen: 64, scope: 'link' },
    ]);
  });
});

describe('parseIpLinkText on kernel lab output', () => {
  it('reads ip addr of a host netns: peer address, alias label, secondary, link-netns name', () => {
    const r = parseIpLinkText(fixtureLines('lab/host-ip-addr.txt'), 1);
    expect(r.skipped).toEqual([]);
    expect(r.items).toHaveLength(8);
    const ens3 = byName(r.items, 'ens3').addresses;
    expect(ens3.filter((a) => a.family === 4)).toEqual([
      { ifname: 'ens3', ifindex: 6, family: 4, local: '30.0.1.160', prefixlen: 24, scope: 'global' },
      { ifname: 'ens3', ifindex: 6, family: 4, local: '10.9.9.1', peer: '10.9.9.2', prefixlen: 32, scope: 'global' },
      { ifname: 'ens3', ifindex: 6, family: 4, local: '192.168.7.1', prefixlen: 24, scope: 'global', label: 'ens3:1' },
      { ifname: 'ens3', ifindex: 6, family: 4, local: '30.0.1.170', prefixlen: 24, scope: 'global', secondary: true },
    ]);
    expect(byName(r.items, 'veth1a').link.peer).toEqual({ ifindex: 2, netnsName: 'e1test-pod' });
    expect(byName(r.items, 'flannel.1').addresses[0]).toMatchObject({ local: '10.244.1.0', prefixlen: 32 });
  });

  it('reads ip -d link: bridge, veth with proxy_arp, VXLAN VTEP details, NIC-less veth pair in one netns', () => {
    const r = parseIpLinkText(fixtureLines('lab/host-ip-d-link.txt'), 1);
    expect(r.skipped).toEqual([]);
    expect(byName(r.items, 'cni0').link.kind).toBe('bridge');
    expect(byName(r.items, 'veth1a').link).toMatchObject({ kind: 'veth', proxyArp: true, master: 'cni0' });
    expect(byName(r.items, 'veth2a').link.proxyArp).toBe(false);
    expect(byName(r.items, 'flannel.1').link.vxlan).toEqual({ id: 1, local: '30.0.1.160', dev: 'ens3', port: 8472, learning: false });
    expect(byName(r.items, 'vxlan0').link.vxlan).toEqual({ id: 42, remote: '30.0.1.161', port: 4789, learning: true });
    // `ens3@ens3p` with a `veth` detail line: the peer is in the same netns and resolves by name.
    expect(byName(r.items, 'ens3').link).toMatchObject({ kind: 'veth', peer: { ifindex: 5 } });
    expect(byName(r.items, 'lo').link.kind).toBe('loopback');
  });

  it('does not guess a kind for name@parent without -d', () => {
    const r = parseIpLinkText(fixtureLines('lab/host-ip-link.txt'), 1);
    expect(byName(r.items, 'ens3').link.kind).toBeUndefined();
    expect(byName(r.items, 'ens3').link.peer).toBeUndefined();
    expect(byName(r.items, 'cni0').link.kind).toBeUndefined();
  });

  it('reads ip -o addr one-line output with its backslash separators', () => {
    const oneline = parseIpLinkText(fixtureLines('lab/host-ip-o-addr.txt'), 1);
    const normal = parseIpLinkText(fixtureLines('lab/host-ip-addr.txt'), 1);
    expect(oneline.skipped).toEqual([]);
    expect(oneline.items.map((i) => i.addresses)).toEqual(normal.items.map((i) => i.addresses));
  });

  it('reads ip -o link one-line output', () => {
    const r = parseIpLinkText(fixtureLines('lab/host-ip-o-link.txt'), 1);
    expect(r.skipped).toEqual([]);
    expect(byName(r.items, 'veth1a').link).toMatchObject({ ifindex: 3, mac: '02:85:eb:71:d6:fd', peer: { ifindex: 2, netnsName: 'e1test-pod' } });
  });

  it('reads ip -br addr and ip -br link', () => {
    const addr = parseIpLinkText(fixtureLines('lab/host-ip-br-addr.txt'), 1);
    expect(addr.skipped).toEqual([]);
    expect(byName(addr.items, 'ens3').addresses.map((a) => `${a.local}/${a.prefixlen}`)).toEqual([
      '30.0.1.160/24',
      '10.9.9.1/32',
      '192.168.7.1/24',
      '30.0.1.170/24',
      'fd00::1/64',
      'fe80::d43a:b3ff:fe07:c4dd/64',
    ]);
    expect(byName(addr.items, 'ens3').addresses[1]?.peer).toBe('10.9.9.2');
    const link = parseIpLinkText(fixtureLines('lab/host-ip-br-link.txt'), 1);
    expect(byName(link.items, 'veth2a').link).toMatchObject({ operState: 'UP', mac: 'b6:8d:d8:6c:bc:79', peer: { ifindex: 2 }, kind: 'veth' });
    expect(byName(link.items, 'cni0').link.flags).toEqual(['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']);
  });
});

describe('parseIpLinkText on text pasted from web pages', () => {
  const clean = [
    '2: eth0@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP group default',
    '    link/ether 0a:58:0a:f4:01:02 brd ff:ff:ff:ff:ff:ff link-netnsid 0',
    '    inet 10.244.1.2/24 brd 10.244.1.255 scope global eth0',
    '       valid_lft forever preferred_lft forever',
  ];

  it('reads a header whose <FLAGS> were lost, leaving flags unknown', () => {
    const r = parseIpLinkText(['2: eth0@if5:  mtu 1450 qdisc noqueue state UP group default', ...clean.slice(1)], 1);
    expect(r.skipped).toEqual([]);
    const link = r.items[0]?.link;
    expect(link).toMatchObject({ ifindex: 2, name: 'eth0', mtu: 1450, operState: 'UP', kind: 'veth', peer: { ifindex: 5, netnsId: 0 } });
    expect(link && 'flags' in link).toBe(false);
  });

  it('reads output whose indentation was lost, with CRLF endings, tabs and trailing spaces', () => {
    const mangled = clean.map((l) => l.trim().replace(/ /g, (m, i: number) => (i % 3 === 0 ? '\t' : '  ')) + '   \r');
    const r = parseIpLinkText(mangled, 10);
    const expected = parseIpLinkText(clean, 10);
    expect(r.skipped).toEqual([]);
    expect(r.items).toEqual(expected.items);
    expect(r.items[0]?.addresses[0]).toMatchObject({ local: '10.244.1.2', prefixlen: 24, broadcast: '10.244.1.255' });
  });

  it('reads a header whose blank after the index was lost', () => {
    const r = parseIpLinkText(['2:eth0@if5: <UP> mtu 1450 state UP'], 1);
    expect(r.items[0]?.link).toMatchObject({ ifindex: 2, name: 'eth0', peer: { ifindex: 5 } });
    expect(parseIpLinkText(['2001:db8::1/64 is not a header'], 1).items).toEqual([]);
  });

  it('strips ip -c colour codes', () => {
    const coloured = ['2: \u001b[36meth0@if5: \u001b[0m<UP> mtu 1450', '    inet \u001b[35m10.244.1.2\u001b[0m/24 scope global eth0'];
    const r = parseIpLinkText(coloured, 1);
    expect(r.items[0]?.addresses[0]?.local).toBe('10.244.1.2');
  });
});

describe('parseIpLinkText kinds and details', () => {
  it('tunl0@NONE is an IPIP device with no peer', () => {
    const r = parseIpLinkText(
      ['5: tunl0@NONE: <NOARP,UP,LOWER_UP> mtu 1480 qdisc noqueue state UNKNOWN group default qlen 1000', '    link/ipip 0.0.0.0 brd 0.0.0.0', '    inet 10.244.7.64/32 scope global tunl0'],
      1,
    );
    expect(r.items[0]?.link).toMatchObject({ name: 'tunl0', kind: 'ipip', tunnel: { mode: 'ipip' } });
    expect(r.items[0]?.link.peer).toBeUndefined();
    expect(r.items[0]?.addresses[0]).toMatchObject({ local: '10.244.7.64', prefixlen: 32 });
  });

  it('reads ip -d ipip details: remote any, local address, underlay dev', () => {
    const r = parseIpLinkText(
      [
        '5: tunl0@NONE: <NOARP,UP,LOWER_UP> mtu 1480 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000',
        '    link/ipip 0.0.0.0 brd 0.0.0.0 promiscuity 0 minmtu 0 maxmtu 0',
        '    ipip remote any local 10.0.0.1 dev eth1 ttl inherit nopmtudisc addrgenmode eui64 numtxqueues 1',
      ],
      1,
    );
    expect(r.items[0]?.link.tunnel).toEqual({ mode: 'ipip', local: '10.0.0.1', dev: 'eth1' });
    expect(r.items[0]?.link.kind).toBe('ipip');
  });

  it('link/none is WireGuard; -d kind lines name geneve, dummy, vlan, bond, macvlan', () => {
    const r = parseIpLinkText(
      [
        '9: wireguard.cali: <POINTOPOINT,NOARP,UP,LOWER_UP> mtu 1440 qdisc noqueue state UNKNOWN',
        '    link/none ',
        '10: gnv0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN',
        '    link/ether 1a:2b:3c:4d:5e:6f brd ff:ff:ff:ff:ff:ff promiscuity 0',
        '    geneve id 10 remote 192.168.1.2 ttl auto dstport 6081',
        '11: kube-ipvs0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN',
        '    link/ether 1a:2b:3c:4d:5e:70 brd ff:ff:ff:ff:ff:ff promiscuity 0',
        '    dummy addrgenmode eui64',
        '12: eth0.100@eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP',
        '    link/ether 1a:2b:3c:4d:5e:71 brd ff:ff:ff:ff:ff:ff promiscuity 0',
        '    vlan protocol 802.1Q id 100 <REORDER_HDR>',
        '13: bond0: <BROADCAST,MULTICAST,MASTER,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP',
        '    link/ether 1a:2b:3c:4d:5e:72 brd ff:ff:ff:ff:ff:ff promiscuity 0',
        '    bond mode active-backup miimon 100',
        '3: eth0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP',
        '    link/ether 1a:2b:3c:4d:5e:73 brd ff:ff:ff:ff:ff:ff link-netnsid 0 promiscuity 0',
        '    macvlan mode bridge',
        '14: ens5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc mq state UP',
        '    link/ether 1a:2b:3c:4d:5e:74 brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 68 maxmtu 9216',
        '    addrgenmode eui64 numtxqueues 8 numrxqueues 8',
        '15: vrf-blue: <NOARP,MASTER,UP,LOWER_UP> mtu 65575 qdisc noqueue state UP',
        '    link/ether 1a:2b:3c:4d:5e:75 brd ff:ff:ff:ff:ff:ff promiscuity 0',
        '    vrf table 10',
      ],
      1,
    );
    expect(r.skipped).toEqual([]);
    const kinds = Object.fromEntries(r.items.map((i) => [i.link.name, i.link.kind]));
    expect(kinds).toEqual({
      'wireguard.cali': 'wireguard',
      gnv0: 'geneve',
      'kube-ipvs0': 'dummy',
      'eth0.100': 'vlan',
      bond0: 'bond',
      eth0: 'macvlan',
      ens5: 'device',
      'vrf-blue': 'other',
    });
    expect(byName(r.items, 'vrf-blue').link.infoKind).toBe('vrf');
    // A macvlan's @ifN names its parent, not a veth peer.
    expect(byName(r.items, 'eth0').link.peer).toBeUndefined();
    expect(byName(r.items, 'gnv0').link.tunnel).toEqual({ mode: 'geneve', remote: '192.168.1.2' });
  });

  it('reads an address without /len as a host address, and a peer without /len', () => {
    const r = parseIpLinkText(
      ['4: tun0: <POINTOPOINT,UP> mtu 1400 state UNKNOWN', '    inet 10.0.0.1 peer 10.0.0.2 scope global tun0', '    inet6 fd00::5 scope global'],
      1,
    );
    expect(r.items[0]?.addresses).toEqual([
      { ifname: 'tun0', ifindex: 4, family: 4, local: '10.0.0.1', peer: '10.0.0.2', prefixlen: 32, scope: 'global' },
      { ifname: 'tun0', ifindex: 4, family: 6, local: 'fd00::5', prefixlen: 128, scope: 'global' },
    ]);
  });

  it('keeps link-netnsid when a paste wrapped it onto its own line', () => {
    const r = parseIpLinkText(['6: veth1@if3: <UP> mtu 1500', 'link/ether aa:bb:cc:dd:ee:ff brd ff:ff:ff:ff:ff:ff', 'link-netnsid 4'], 1);
    expect(r.items[0]?.link.peer).toEqual({ ifindex: 3, netnsId: 4 });
  });

  it('reports lines it cannot place, with their line numbers, and keeps going', () => {
    const r = parseIpLinkText(
      ['    inet 10.0.0.1/24 scope global eth0', 'bash: ipp: command not found', '2: eth0: <UP> mtu 1500', '    inet banana/24', '    something odd here'],
      40,
    );
    expect(r.items).toHaveLength(1);
    expect(r.skipped.map((s) => s.startLine)).toEqual([40, 41, 43, 44]);
    expect(r.skipped[0]?.reason).toMatch(/before any interface/);
    expect(r.skipped[3]?.reason).toMatch(/eth0/);
    expect(r.skipped[1]?.text).toBe('bash: ipp: command not found');
  });
});

describe('parseIpLinkText without link lines', () => {
  it('knows tunl0 is the ipip fallback device even when ip -4 a / ip -br a print no link/ipip line', () => {
    const four = parseIpLinkText(
      [
        '5: tunl0@NONE: <NOARP,UP,LOWER_UP> mtu 1480 qdisc noqueue state UNKNOWN group default qlen 1000',
        '    inet 192.168.201.0/32 scope global tunl0',
        '       valid_lft forever preferred_lft forever',
      ],
      1,
    );
    expect(four.items[0]?.link).toMatchObject({ name: 'tunl0', kind: 'ipip' });
    const brief = parseIpLinkText(['tunl0@NONE       UNKNOWN        192.168.87.64/32 '], 1);
    expect(brief.items[0]?.link).toMatchObject({ name: 'tunl0', kind: 'ipip' });
  });
});

describe('old flannel VTEP flags', () => {
  it('reads proxy, l2miss and l3miss from ip -d link (iproute2 6.1 prints them only when set)', () => {
    const text = [
      '2: flannel.1: <BROADCAST,MULTICAST> mtu 1450 qdisc noop state DOWN mode DEFAULT group default qlen 1000',
      '    link/ether 4a:ed:c0:67:bb:9d brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 ',
      '    vxlan id 1 local 10.0.0.1 dev eth0 srcport 0 0 dstport 8472 nolearning proxy l2miss l3miss ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 ',
      '3: vxlan0: <BROADCAST,MULTICAST> mtu 1450 qdisc noop state DOWN mode DEFAULT group default qlen 1000',
      '    link/ether 4a:ed:c0:67:bb:9e brd ff:ff:ff:ff:ff:ff promiscuity 0',
      '    vxlan id 2 local 10.0.0.1 dev eth0 srcport 0 0 dstport 4789 ttl auto ageing 300 udpcsum',
    ];
    const r = parseIpLinkText(text, 1);
    expect(byName(r.items, 'flannel.1').link.vxlan).toMatchObject({ id: 1, learning: false, proxy: true, l2miss: true, l3miss: true });
    const plain = byName(r.items, 'vxlan0').link.vxlan;
    expect(plain).toMatchObject({ id: 2, learning: true });
    expect(plain).not.toHaveProperty('l3miss');
    expect(plain).not.toHaveProperty('proxy');
  });
});
