import { describe, it, expect } from 'vitest';
import { parseIpNeighText } from './ipNeighText';
import { fixtureLines } from './fixtures/load';

describe('parseIpNeighText', () => {
  it('reads the kernel lab neighbour table: permanent VTEP entry, router flag, FAILED without lladdr', () => {
    const r = parseIpNeighText(fixtureLines('lab/host-ip-neigh.txt'), 1);
    expect(r.skipped).toEqual([]);
    expect(r.items).toEqual([
      { dst: '30.0.1.6', dev: 'ens3', lladdr: '02:00:00:00:00:06', router: true, state: ['REACHABLE'] },
      { dst: '30.0.1.161', dev: 'ens3', state: ['FAILED'] },
      { dst: '30.0.1.162', dev: 'ens3', state: ['FAILED'] },
      { dst: '30.0.1.5', dev: 'ens3', lladdr: '02:00:00:00:00:05', state: ['STALE'] },
      { dst: '10.244.1.2', dev: 'cni0', state: ['FAILED'] },
      { dst: '10.244.2.0', dev: 'flannel.1', lladdr: '5e:1f:aa:bb:cc:dd', state: ['PERMANENT'] },
      { dst: 'fd00::9', dev: 'ens3', lladdr: '02:00:00:00:00:09', router: true, state: ['REACHABLE'] },
    ]);
  });

  it('reads the forms the brief lists, including IPv6 router entries', () => {
    const r = parseIpNeighText(
      ['10.244.2.0 dev flannel.1 lladdr 5E:1F:AA:BB:CC:DD PERMANENT', '10.0.0.1 dev eth0 lladdr 52:54:00:12:34:56 router STALE', '10.0.0.9 dev eth0  FAILED', 'fe80::1 dev eth0 lladdr 52:54:00:12:34:57 router REACHABLE'],
      1,
    );
    expect(r.items[0]?.lladdr).toBe('5e:1f:aa:bb:cc:dd');
    expect(r.items[1]).toMatchObject({ router: true, state: ['STALE'] });
    expect(r.items[2]).toEqual({ dst: '10.0.0.9', dev: 'eth0', state: ['FAILED'] });
    expect(r.items[3]).toMatchObject({ dst: 'fe80::1', router: true });
  });

  it('uses opts.dev for ip neigh show dev X, and skips device-less lines without it', () => {
    const lines = fixtureLines('lab/host-ip-neigh-dev-ens3.txt');
    const withDev = parseIpNeighText(lines, 1, { dev: 'ens3' });
    expect(withDev.items.every((n) => n.dev === 'ens3')).toBe(true);
    expect(withDev.items).toHaveLength(5);
    const without = parseIpNeighText(lines, 1);
    expect(without.items).toEqual([]);
    expect(without.skipped).toHaveLength(5);
    expect(without.skipped[0]?.reason).toMatch(/without "dev X"/);
  });

  it('skips lines that do not start with an address', () => {
    const r = parseIpNeighText(['Address HWtype HWaddress', '10.0.0.1 dev eth0 lladdr aa:bb:cc:dd:ee:ff REACHABLE'], 5);
    expect(r.items).toHaveLength(1);
    expect(r.skipped.map((s) => s.startLine)).toEqual([5]);
  });
});
