import { describe, it, expect } from 'vitest';
import { parseBridgeFdbText } from './bridgeFdbText';
import { fixtureLines } from './fixtures/load';

describe('parseBridgeFdbText', () => {
  it('reads the kernel lab FDB: learned port entries, VTEP remote entries, multicast self entries', () => {
    const r = parseBridgeFdbText(fixtureLines('lab/host-bridge-fdb.txt'), 1);
    expect(r.skipped).toEqual([]);
    expect(r.items).toHaveLength(25);
    expect(r.items.find((e) => e.mac === 'f6:a2:31:a6:6e:c5')).toEqual({ mac: 'f6:a2:31:a6:6e:c5', dev: 'veth1a', master: 'cni0' });
    expect(r.items.find((e) => e.dev === 'flannel.1')).toEqual({ mac: '5e:1f:aa:bb:cc:dd', dev: 'flannel.1', dst: '30.0.1.161', flags: ['self'], state: 'permanent' });
    expect(r.items.filter((e) => e.dev === 'vxlan0').map((e) => e.dst)).toEqual(['30.0.1.161', '30.0.1.162']);
  });

  it('reads the forms the brief lists', () => {
    const r = parseBridgeFdbText(
      [
        '00:00:00:00:00:00 dev vxlan0 dst 10.0.0.2 via eth0 self permanent',
        'c2:ce:72:1b:97:6e dev veth12acb4c1 master cni0',
        '33:33:00:00:00:01 dev eth0 self permanent',
        'aa:bb:cc:dd:ee:01 dev veth1 vlan 1 master cni0 permanent',
        '66:77:88:99:aa:bb dev vxlan.calico dst 192.168.1.2 self permanent',
        '66:77:88:99:aa:bc dev vxlan1 dst 192.168.1.3 port 4790 vni 100 self extern_learn',
      ],
      1,
    );
    expect(r.skipped).toEqual([]);
    expect(r.items[0]).toEqual({ mac: '00:00:00:00:00:00', dev: 'vxlan0', dst: '10.0.0.2', flags: ['self'], state: 'permanent' });
    expect(r.items[3]).toEqual({ mac: 'aa:bb:cc:dd:ee:01', dev: 'veth1', vlan: 1, master: 'cni0', state: 'permanent' });
    expect(r.items[4]).toMatchObject({ dev: 'vxlan.calico', dst: '192.168.1.2' });
    expect(r.items[5]).toEqual({ mac: '66:77:88:99:aa:bc', dev: 'vxlan1', dst: '192.168.1.3', port: 4790, vni: 100, flags: ['self', 'extern_learn'] });
  });

  it('uses opts.dev for bridge fdb show dev X', () => {
    const lines = fixtureLines('lab/host-bridge-fdb-dev-flannel.txt');
    expect(parseBridgeFdbText(lines, 1, { dev: 'flannel.1' }).items).toEqual([
      { mac: '5e:1f:aa:bb:cc:dd', dev: 'flannel.1', dst: '30.0.1.161', flags: ['self'], state: 'permanent' },
    ]);
    expect(parseBridgeFdbText(lines, 1).skipped[0]?.reason).toBe('fdb entry without "dev X"');
  });

  it('skips lines that do not start with a MAC', () => {
    const r = parseBridgeFdbText(['port    vlan-id', 'dev eth0 self'], 9);
    expect(r.skipped.map((s) => s.startLine)).toEqual([9, 10]);
  });
});
