import { describe, it, expect } from 'vitest';
import { parseRouteNText } from './routeNText';
import { fixtureLines } from './fixtures/load';

describe('parseRouteNText', () => {
  it('reads route -n from the kernel lab, skipping the two header lines silently', () => {
    const r = parseRouteNText(fixtureLines('lab/host-route-n.txt'), 1);
    expect(r.skipped).toEqual([]);
    expect(r.items).toHaveLength(10);
    expect(r.items[0]).toEqual({ family: 4, table: 'main', type: 'unicast', dst: '0.0.0.0/0', gateway: '30.0.1.254', dev: 'ens3', metric: 100 });
    expect(r.items.find((x) => x.dst === '10.244.2.0/24')).toMatchObject({ gateway: '10.244.2.0', dev: 'flannel.1' });
    expect(r.items.find((x) => x.dst === '10.244.1.0/24')).toEqual({ family: 4, table: 'main', type: 'unicast', dst: '10.244.1.0/24', dev: 'cni0', scope: 'link', metric: 0 });
  });

  it('turns genmask into a prefix length and UH into a /32 without a gateway', () => {
    const r = parseRouteNText(['10.9.9.2        0.0.0.0         255.255.255.255 UH    0      0        0 ens3'], 1);
    expect(r.items[0]).toMatchObject({ dst: '10.9.9.2/32', dev: 'ens3' });
    expect(r.items[0]?.gateway).toBeUndefined();
  });

  it('reads ! reject routes as unreachable and device-less routes as blackhole, with a warning', () => {
    const r = parseRouteNText(
      ['10.0.0.0        -               255.0.0.0       !     0      -        0 -', '10.244.7.64     0.0.0.0         255.255.255.192 U     0      0        0 *'],
      20,
    );
    expect(r.items.map((x) => [x.dst, x.type])).toEqual([
      ['10.0.0.0/8', 'unreachable'],
      ['10.244.7.64/26', 'blackhole'],
    ]);
    expect(r.warnings.map((w) => w.line)).toEqual([21]);
  });

  it('reads netstat -rn, which has no metric column', () => {
    const r = parseRouteNText(
      ['Kernel IP routing table', 'Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface', '0.0.0.0         10.0.0.1        0.0.0.0         UG        0 0          0 eth0'],
      1,
    );
    expect(r.items).toEqual([{ family: 4, table: 'main', type: 'unicast', dst: '0.0.0.0/0', gateway: '10.0.0.1', dev: 'eth0' }]);
  });

  it('reads route -n -A inet6 lines', () => {
    const r = parseRouteNText(['Kernel IPv6 routing table', 'Destination                    Next Hop                   Flag Met Ref Use If', 'fd01::/64                      fd00::2                    UG   1024 1     0 ens3', 'fe80::/64                      ::                         U    256 1     0 eth0'], 1);
    expect(r.items).toEqual([
      { family: 6, table: 'main', type: 'unicast', dst: 'fd01::/64', gateway: 'fd00::2', dev: 'ens3', metric: 1024 },
      { family: 6, table: 'main', type: 'unicast', dst: 'fe80::/64', dev: 'eth0', metric: 256 },
    ]);
  });

  it('skips lines with unreadable netmasks or names instead of numbers', () => {
    const r = parseRouteNText(['10.0.0.0 0.0.0.0 255.0.255.0 U 0 0 0 eth0', 'default gateway 0.0.0.0 UG 0 0 0 eth0', 'localnet 0.0.0.0 255.255.255.0 U 0 0 0 eth0', 'garbage'], 1);
    expect(r.items.map((x) => x.dst)).toEqual(['0.0.0.0/0']);
    expect(r.warnings[0]?.message).toMatch(/unreadable gateway "gateway"/);
    expect(r.skipped.map((s) => s.startLine)).toEqual([1, 3, 4]);
  });
});
