import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildNode, waitForDad } from '../../collector/bench';
import { collectNode } from '../../collector/collect';
import { execCommand, mustRun } from '../../collector/exec';
import { shellRunMany, type RunMany } from '../../collector/runner';
import type { Snapshot } from '../../lib/snapshot/schema';
import { NetnsWatch } from '../../collector/watch';
import { canBuildLab } from './lab';

/**
 * Collections that re-read only the netns an `ip monitor` saw change must
 * give what a full read of the same state gives: each kind of change made
 * in one pod netns between two collections (no periodic sweep in between),
 * then compared with a fresh full collection.
 */
describe('collector: re-reading only changed pod netns (kernel lab)', () => {
  const prefix = `w${randomBytes(3).toString('hex')}`;
  let made: string[] = [];
  let watch: NetnsWatch | undefined;
  /** The netns each collection's runner read (by `ip -n NAME`). */
  let visited: string[] = [];
  const shell = shellRunMany();
  const counting: RunMany = async (cmds) => {
    for (const c of cmds) if (c.args[0] === '-n' && c.args[1] !== undefined) visited.push(c.args[1]);
    return shell(cmds);
  };
  const pod = (i: number) => `${prefix}-p${String(i).padStart(3, '0')}`;
  const ip = (...args: string[]) => mustRun(execCommand, 'ip', args);
  const opts = () => ({ nodeName: 'lab', hostNetns: `${prefix}-node`, podNetns: `${prefix}-p*`, kubeProxy: false, runMany: counting });
  const bare = (s: Snapshot) => ({ ...s, collectedAt: undefined });

  /**
   * Waits until the monitor has been quiet for 400 ms: the kernel goes on by
   * itself after a link comes up (IPv6 link-local addresses after DAD, their
   * routes), and a change landing between the two collections compared would
   * make them differ for no fault of either.
   */
  async function settle(): Promise<void> {
    const w = watch as NetnsWatch;
    for (let last = -1, until = Date.now() + 10_000; Date.now() < until; ) {
      if (w.events === last) return;
      last = w.events;
      await new Promise((r) => setTimeout(r, 400));
    }
  }

  /** An incremental collection, then a full one of the same state: equal, and the pod netns the incremental one read. */
  async function incrementalMatchesFull(): Promise<string[]> {
    await settle();
    visited = [];
    const inc = await collectNode({ ...opts(), watch: watch as NetnsWatch });
    const read = [...new Set(visited)].filter((n) => n !== `${prefix}-node`).sort();
    const full = await collectNode(opts());
    expect(inc.warnings).toEqual(full.warnings);
    expect(bare(inc.snapshot)).toEqual(bare(full.snapshot));
    return read;
  }

  beforeAll(async () => {
    const can = canBuildLab();
    if (!can.ok) throw new Error(`kernel lab unavailable: ${can.reason}. Run the lab suite as root (npx vitest run e2e/lab).`);
    made = await buildNode(prefix, 5);
    // Duplicate address detection settling a pod's IPv6 link-local address is a change: let it finish first.
    await waitForDad(made);
    watch = new NetnsWatch({ kind: 'named', name: `${prefix}-node` }, { fullEvery: 1000 });
  }, 60_000);
  afterAll(async () => {
    watch?.stop();
    for (const ns of made.reverse()) await execCommand('ip', ['netns', 'del', ns]);
  });

  it('reads everything twice (the collection that starts the monitor keeps nothing), then nothing but the host netns while nothing changes', async () => {
    visited = [];
    const first = await collectNode({ ...opts(), watch: watch as NetnsWatch });
    expect(first.snapshot.namespaces).toHaveLength(6);
    expect(new Set(visited).size).toBe(6);
    expect(await incrementalMatchesFull()).toHaveLength(5);
    expect(await incrementalMatchesFull()).toEqual([]);
  });

  it.each([
    ['a route', (p: string) => ip('-n', p, 'route', 'add', '10.99.0.0/16', 'via', '10.244.1.1')],
    ['an address', (p: string) => ip('-n', p, 'addr', 'add', '10.244.1.200/24', 'dev', 'eth0')],
    ['a link state', (p: string) => ip('-n', p, 'link', 'set', 'eth0', 'mtu', '1400')],
    ['a neighbour', (p: string) => ip('-n', p, 'neigh', 'replace', '10.244.1.77', 'lladdr', '02:00:00:00:00:77', 'dev', 'eth0')],
    ['a rule', (p: string) => ip('-n', p, 'rule', 'add', 'from', '10.1.0.0/16', 'lookup', '100')],
    ['ip_forward', (p: string) => ip('netns', 'exec', p, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1')],
    ['rp_filter', (p: string) => ip('netns', 'exec', p, 'sysctl', '-q', '-w', 'net.ipv4.conf.eth0.rp_filter=2')],
  ])('re-reads the pod netns where %s changed, and gives what a full read gives', async (_what, change) => {
    await change(pod(2));
    expect(await incrementalMatchesFull()).toEqual([pod(2)]);
    // Still pending after a change read in the same collection it was announced in: read once more, then quiet.
    await incrementalMatchesFull();
    expect(await incrementalMatchesFull()).toEqual([]);
  });

  it('reads a pod netns that appears, and drops one that goes', async () => {
    const extra = `${prefix}-p900`;
    await ip('netns', 'add', extra);
    made.push(extra);
    await ip('-n', `${prefix}-node`, 'link', 'add', `vw${randomBytes(3).toString('hex')}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', extra);
    expect(await incrementalMatchesFull()).toContain(extra);
    await ip('netns', 'del', pod(4));
    made = made.filter((n) => n !== pod(4));
    const read = await incrementalMatchesFull();
    expect(read).not.toContain(pod(4));
    // Quiet again: the node's own read only.
    await incrementalMatchesFull();
    expect(await incrementalMatchesFull()).toEqual([]);
  });

  /**
   * Between two collections a pod netns is deleted and made again under its
   * name, with the same nsfs inode (inode numbers are reused lowest-free)
   * and the same nsid in the host netns, and changed while it had no nsid
   * there, so no event about it reached the monitor: only its identity
   * (device, inode and creation time of its netns file) tells it is new.
   */
  it('reads a name made again as new, though its inode and nsid are the old ones and no event named it', async () => {
    const host = `${prefix}-node`;
    const name = pod(3);
    await incrementalMatchesFull();
    const nsidOf = async (): Promise<number | undefined> => {
      const ids = JSON.parse((await mustRun(execCommand, 'ip', ['-n', host, '-j', 'netns', 'list-id'])) || '[]') as Array<{ nsid: number; name?: string }>;
      return ids.find((e) => e.name === name)?.nsid;
    };
    const nsid = await nsidOf();
    const ino = statSync(`/var/run/netns/${name}`).ino;
    expect(nsid).toBeDefined();
    await ip('netns', 'del', name);
    // The old netns is freed asynchronously, and other lower inode numbers may be free too (or freed by
    // others meanwhile): netns are made under other names, each kept, until one gets the old inode; that
    // one is then given the name (a bind mount, as `ip netns add` makes) and its other name dropped.
    let same = false;
    for (let k = 0, until = Date.now() + 20_000; !same && Date.now() < until; k++) {
      const filler = `${prefix}-f${k}`;
      await ip('netns', 'add', filler);
      made.push(filler);
      same = statSync(`/var/run/netns/${filler}`).ino === ino;
      if (!same) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      await mustRun(execCommand, 'touch', [`/var/run/netns/${name}`]);
      await mustRun(execCommand, 'mount', ['--bind', `/var/run/netns/${filler}`, `/var/run/netns/${name}`]);
      await ip('netns', 'del', filler);
      made = made.filter((n) => n !== filler);
    }
    expect(same).toBe(true);
    expect(statSync(`/var/run/netns/${name}`).ino).toBe(ino);
    // No nsid in the host netns yet: the kernel sends these events to no listener there.
    await ip('-n', name, 'link', 'set', 'lo', 'up');
    await ip('-n', name, 'addr', 'add', '10.244.9.9/32', 'dev', 'lo');
    await ip('-n', host, 'netns', 'set', name, String(nsid));
    expect(await nsidOf()).toBe(nsid);
    expect(await incrementalMatchesFull()).toContain(name);
    await incrementalMatchesFull();
    expect(await incrementalMatchesFull()).toEqual([]);
  });

  it('without CAP_NET_BROADCAST (all-nsid refused): says so once, then reads everything every time', async () => {
    const host = `${prefix}-node`;
    const capless = new NetnsWatch({ kind: 'named', name: host }, { fullEvery: 1000, command: { file: 'setpriv', args: ['--bounding-set', '-all,+sys_admin', '--inh-caps', '-all', 'ip', '-n', host, 'monitor', 'all-nsid', 'all'] } });
    try {
      const pods = (await collectNode(opts())).snapshot.namespaces.length - 1;
      for (let i = 0; i < 3; i++) {
        visited = [];
        const r = await collectNode({ ...opts(), watch: capless });
        expect(new Set(visited).size).toBe(pods + 1);
        const problems = r.warnings.filter((w) => w.includes('monitor all-nsid'));
        if (i === 0) expect(problems.join()).toMatch(/NETLINK_LISTEN_ALL_NSID: Operation not permitted/);
        else expect(problems).toEqual([]);
      }
      expect(capless.pid).toBeUndefined();
    } finally {
      capless.stop();
    }
  });

  it('reads everything again when the monitor stops', async () => {
    process.kill(watch?.pid as number, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    visited = [];
    const r = await collectNode({ ...opts(), watch: watch as NetnsWatch });
    expect(new Set(visited).size).toBe(r.snapshot.namespaces.length);
    expect(await incrementalMatchesFull()).toHaveLength(r.snapshot.namespaces.length - 1);
    expect(await incrementalMatchesFull()).toEqual([]);
  });
});
