import { describe, expect, it } from 'vitest';
import type { Link } from '../lib/snapshot/schema';
import { BATCH_LINES, beginReadCache, collectNetnsBatched, routeFamily, splitBatchOutput, sweepReadCache, sysctlsFromNetconf } from './batch';
import type { Exec } from './exec';

describe('reading one ip -batch run per netns', () => {
  it('gives each batch line its own JSON output, in order', () => {
    const stdout = BATCH_LINES.map((_, i) => `[{"n":${i}}]`).join('\n') + '\n';
    const { values, errors } = splitBatchOutput(stdout, '', BATCH_LINES.length);
    expect(errors).toEqual([]);
    expect(values).toEqual(BATCH_LINES.map((_, i) => [{ n: i }]));
  });

  it('keeps the outputs aligned when -force skipped a failed line (its output is missing, stderr names it)', () => {
    const stdout = '[{"n":0}]\n[{"n":1}]\n[{"n":3}]\n';
    const stderr = 'Error: unknown command.\nCommand failed /tmp/podnet-batch-x/netns.batch:3\n';
    const { values } = splitBatchOutput(stdout, stderr, 4);
    expect(values).toEqual([[{ n: 0 }], [{ n: 1 }], undefined, [{ n: 3 }]]);
  });

  it('tells IPv6 routes from IPv4 ones in a mixed `route show table all`, `default` included', () => {
    expect(routeFamily({ dst: '10.244.0.0/16', gateway: '10.244.1.1' })).toBe(4);
    expect(routeFamily({ dst: 'default', gateway: '10.244.1.1', dev: 'eth0' })).toBe(4);
    expect(routeFamily({ dst: 'fe80::/64', dev: 'eth0', metric: 256, pref: 'medium' })).toBe(6);
    expect(routeFamily({ dst: 'default', gateway: 'fe80::1', dev: 'eth0' })).toBe(6);
    expect(routeFamily({ type: 'unreachable', dst: 'default', dev: 'lo', pref: 'medium' })).toBe(6);
    expect(routeFamily({ type: 'local', dst: '10.244.1.2', table: 'local', prefsrc: '10.244.1.2' })).toBe(4);
  });

  it('reads forwarding and rp_filter from ip netconf as the sysctl keys the engine uses', () => {
    const netconf = [
      { family: 'inet', interface: 'eth0', forwarding: false, rp_filter: 'strict' },
      { family: 'inet', interface: 'all', forwarding: true, rp_filter: 'off' },
      { family: 'inet', interface: 'flannel.1', forwarding: true, rp_filter: 'loose' },
      { family: 'inet6', interface: 'all', forwarding: false },
    ];
    expect(sysctlsFromNetconf(netconf)).toEqual({
      'net.ipv4.conf.eth0.rp_filter': '1',
      'net.ipv4.ip_forward': '1',
      'net.ipv4.conf.all.rp_filter': '0',
      'net.ipv4.conf.flannel.1.rp_filter': '2',
    });
    expect(sysctlsFromNetconf('not a list')).toEqual({});
  });
});

describe('reusing what an unchanged batch line read', () => {
  const link = (mtu: number) => JSON.stringify([{ ifindex: 2, ifname: 'eth0', flags: ['UP'], mtu, operstate: 'UP', link_type: 'ether', address: '02:00:00:00:00:01', linkinfo: { info_kind: 'veth' } }]);
  const routes = JSON.stringify([{ dst: 'default', gateway: '10.244.1.1', dev: 'eth0', table: 'main' }, { dst: 'fe80::/64', dev: 'eth0', table: 'main', pref: 'medium' }]);
  const exec = (mtu: number): Exec => async () => ({ stdout: [link(mtu), '[]', routes, '[]', '[]', '[]'].join('\n') + '\n', stderr: '', code: 0 });
  const collect = async (mtu: number) => {
    const gen = beginReadCache();
    const r = await collectNetnsBatched({ kind: 'named', name: 'cache-test' }, { name: 'cache-test', kind: 'pod' }, { exec: exec(mtu), batchFile: `/tmp/x-${mtu}.batch` });
    sweepReadCache(gen);
    return r.netns;
  };

  it('gives the same items for the same output, frozen, and reads a changed line again', async () => {
    const first = await collect(1450);
    const again = await collect(1450);
    expect(again).toEqual(first);
    expect(again.routes).toBe(first.routes);
    expect(Object.isFrozen(again.links?.[0])).toBe(true);
    expect(() => (again.links as Link[]).push({ name: 'x' } as Link)).toThrow();
    const changed = await collect(1500);
    expect(changed.links?.[0]?.mtu).toBe(1500);
    expect(changed.routes).toBe(first.routes);
    expect(changed.routes?.map((r) => r.dst)).toEqual(['0.0.0.0/0', 'fe80::/64']);
  });
});
