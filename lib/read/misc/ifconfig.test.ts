import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseIfconfig } from './ifconfig';

const modern = `cni0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1450
        inet 10.244.0.1  netmask 255.255.255.0  broadcast 10.244.0.255
        inet6 fe80::a0b1:c2ff:fed3:e4f5  prefixlen 64  scopeid 0x20<link>
        ether a2:b1:c2:d3:e4:f5  txqueuelen 1000  (Ethernet)
        RX packets 912345  bytes 113344556 (113.3 MB)
        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0

docker0: flags=4099<UP,BROADCAST,MULTICAST>  mtu 1500
        inet 172.17.0.1  netmask 255.255.0.0  broadcast 172.17.255.255
        ether 02:42:5b:7a:10:c3  txqueuelen 0  (Ethernet)

lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536
        inet 127.0.0.1  netmask 255.0.0.0
        inet6 ::1  prefixlen 128  scopeid 0x10<host>
        loop  txqueuelen 1000  (Local Loopback)`.split('\n');

const busybox = `eth0      Link encap:Ethernet  HWaddr 3A:9F:0C:11:7E:42  
          inet addr:10.244.0.12  Bcast:10.244.0.255  Mask:255.255.255.0
          inet6 addr: fe80::389f:cff:fe11:7e42/64 Scope:Link
          UP BROADCAST RUNNING MULTICAST  MTU:1450  Metric:1
          RX packets:81234 errors:0 dropped:0 overruns:0 frame:0
          collisions:0 txqueuelen:0 
          RX bytes:10238811 (9.7 MiB)  TX bytes:8812334 (8.4 MiB)

eth0:1    Link encap:Ethernet  HWaddr 3A:9F:0C:11:7E:42  
          inet addr:10.244.0.99  Bcast:10.244.0.255  Mask:255.255.255.0
          UP BROADCAST RUNNING MULTICAST  MTU:1450  Metric:1`.split('\n');

describe('parseIfconfig', () => {
  it('reads net-tools 2.10 stanzas: MTU, MAC, IPv4 with netmask as a prefix length, IPv6 scope, loopback', () => {
    const out = parseIfconfig(modern, 10);
    expect(out.skipped).toEqual([]);
    const [cni0, docker0, lo] = out.items;
    expect(cni0?.link).toMatchObject({ name: 'cni0', mtu: 1450, mac: 'a2:b1:c2:d3:e4:f5', operState: 'UP' });
    expect(cni0?.addresses).toEqual([
      { ifname: 'cni0', family: 4, local: '10.244.0.1', prefixlen: 24, scope: 'global', broadcast: '10.244.0.255' },
      { ifname: 'cni0', family: 6, local: 'fe80::a0b1:c2ff:fed3:e4f5', prefixlen: 64, scope: 'link' },
    ]);
    // UP without RUNNING is a bridge with no carrier: the kernel reports it DOWN.
    expect(docker0?.link.operState).toBe('DOWN');
    expect(lo?.link.kind).toBe('loopback');
    expect(lo?.addresses[0]).toMatchObject({ local: '127.0.0.1', prefixlen: 8, scope: 'host' });
  });

  it('reads busybox/old net-tools stanzas and files an alias address under its device with a label', () => {
    const out = parseIfconfig(busybox, 1);
    expect(out.items).toHaveLength(1);
    const eth0 = out.items[0];
    expect(eth0?.link).toMatchObject({ name: 'eth0', mac: '3a:9f:0c:11:7e:42', mtu: 1450, operState: 'UP' });
    expect(eth0?.addresses.map((a) => `${a.local}/${a.prefixlen}${a.label ? ` ${a.label}` : ''}${a.secondary ? ' secondary' : ''}`)).toEqual([
      '10.244.0.12/24',
      'fe80::389f:cff:fe11:7e42/64',
      '10.244.0.99/24 eth0:1 secondary',
    ]);
  });

  it('reports unreadable lines with their line numbers instead of guessing', () => {
    const out = parseIfconfig(['eth0: flags=4163<UP,RUNNING>  mtu 1500', '        inet 10.0.0.1  netmask 255.0.255.0', 'garbage here'], 7);
    expect(out.skipped.map((s) => [s.startLine, s.reason])).toEqual([
      [8, 'unreadable netmask "255.0.255.0"'],
      [9, 'not an ifconfig interface line'],
    ]);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.array(fc.string()), (lines) => { parseIfconfig(lines, 1); }), { numRuns: 300 });
  });
});
