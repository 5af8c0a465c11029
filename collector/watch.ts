/**
 * Which pod netns changed since the last collection, from one long-running
 * `ip monitor all-nsid` in the host netns. A 110-pod collection was ~290 ms
 * of iproute2 CPU, ~2 ms per pod netns for reading six tables that mostly
 * had not changed; the kernel announces every change of what those reads
 * print (links, addresses, routes, rules, neighbours, and netconf, which
 * carries forwarding and rp_filter) as an rtnetlink event, and a listener
 * with NETLINK_LISTEN_ALL_NSID gets the events of every netns the host netns
 * has an nsid for, tagged `[nsid N]`. collectNode re-reads a pod netns only
 * when an event named it; everything else (no nsid, no monitor, a lost
 * event) falls back to reading, as before.
 *
 * Nothing is trusted that the kernel could have told someone else first:
 * a read counts as a baseline only when the monitor was already listening
 * (ready) when the read began, and in the same monitor session. Being
 * subscribed is not yet listening: after it subscribes, `ip monitor` dumps
 * the links (ll_init_map), and rtnl_dump_filter_l drops the events that
 * arrive meanwhile. So the collection that starts a monitor keeps no
 * baselines; the next one, a whole collection later, does (one extra full
 * read per monitor start). Any stderr from the monitor (ENOBUFS: events
 * were dropped), or its exit, makes every netns dirty again.
 *
 * Not every netns is left unread between events (collector/collect.ts):
 * one holding a bridge or VXLAN device or an FDB is read every time (FDB
 * changes come as AF_BRIDGE neighbour events, not relied on), and docker's
 * netns (by `path`, no name to key a cache on) are never cached.
 *
 * One state the kernel does not announce: a neighbour entering DELAY, from
 * STALE when traffic uses it, or from REACHABLE when its reachable time runs
 * out while traffic is still using it (verified on 6.18: REACHABLE, STALE
 * and PROBE are announced, DELAY is not). DELAY lasts delay_first_probe_time
 * (5 s) and always ends in an announced REACHABLE or PROBE, so a netns not
 * re-read may show STALE or REACHABLE where a full read at that instant
 * would show DELAY.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { ipCommand, type Command, type NetnsTarget } from './target';

/** What the next collection must re-read. */
export interface WatchTake {
  /** Everything: no trustworthy monitor, an overflow, or the periodic sweep. */
  all: boolean;
  /** nsids (in the host netns) that had events. */
  nsids: ReadonlySet<number>;
  /** The monitor session whose events these are; reads done now are baselines of it when `ready`. */
  session: number;
  /** The monitor was listening before this take: reads started now miss no event, and are baselines. */
  ready: boolean;
  /** Why the monitor could not be started (said once, until a start succeeds, for the agent's log). */
  problem?: string;
}

/** How long the first collection waits for a new monitor to subscribe before reading without it. */
const READY_WAIT_MS = 2000;

const NSID_TAG = /^\[nsid (\d+)\]/;

/** Every how many collections everything is read anyway, unless told otherwise (at 30 s: every 5 min). */
export const DEFAULT_FULL_EVERY = 10;

/** Monitors running, stopped when the process exits: unreferenced, one would outlive the agent until its next event. */
const running = new Set<ChildProcess>();
let exitHook = false;

export class NetnsWatch {
  private child: ChildProcess | undefined;
  private session = 0;
  /** Subscribed at the start (proof that `ip monitor all-nsid` is allowed and running). */
  private subscribedOnce = false;
  /** Listening: subscribed, and checked again at a take after the one that started it. */
  private ready = false;
  private broken = true;
  private dirty = new Set<number>();
  private partial = '';
  private takes = 0;
  /** The last start failed: tried again only at the periodic full read, not every collection. */
  private failed = false;
  /** The failure was reported: not again until a start succeeds. */
  private told = false;
  private stderr = '';
  /** Events seen, for the bench and the lab. */
  events = 0;

  private readonly fullEvery: number;

  /**
   * `fullEvery`: every Nth collection re-reads everything anyway, a guard
   * against whatever events may not cover (default 10: at 30 s, every 5 min).
   * A whole number >= 1: without full reads the read cache would never be
   * swept, and a failed monitor would be retried at every collection.
   */
  constructor(
    private readonly host: NetnsTarget,
    private readonly opts: { fullEvery?: number; command?: Command } = {},
  ) {
    const every = opts.fullEvery ?? DEFAULT_FULL_EVERY;
    if (!Number.isInteger(every) || every < 1) throw new RangeError(`fullEvery must be a whole number >= 1, not ${every}`);
    this.fullEvery = every;
  }

  /** The monitor's pid while it runs (its CPU is the agent's cost too). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** `ip monitor all-nsid all` in the host netns (a test may wrap it, e.g. to drop a capability). */
  private command(): Command {
    return this.opts.command ?? ipCommand(this.host, ['monitor', 'all-nsid', 'all']);
  }

  private start(): void {
    this.session++;
    this.ready = false;
    this.subscribedOnce = false;
    this.broken = false;
    this.dirty.clear();
    this.partial = '';
    this.stderr = '';
    const cmd = this.command();
    const child = spawn(cmd.file, cmd.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    running.add(child);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => {
        for (const c of running) c.kill('SIGTERM');
      });
    }
    const session = this.session;
    const lose = () => {
      if (this.session !== session) return;
      this.broken = true;
      this.ready = false;
    };
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      if (this.session !== session) return;
      const text = this.partial + chunk;
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      for (const line of lines) {
        // Continuation lines (an address's lifetimes, a link's ether line) start with blanks; `[nsid current]` is the host netns, read every time.
        const m = NSID_TAG.exec(line);
        if (m) {
          this.events++;
          this.dirty.add(Number(m[1]));
        } else if (line.startsWith('[nsid current]')) this.events++;
      }
    });
    // iproute2 prints "netlink receive error No buffer space available" and goes on: events were lost.
    child.stderr?.on('data', (d: Buffer) => {
      if (this.session === session) this.stderr = (this.stderr + d.toString()).slice(-500);
      lose();
    });
    child.on('error', lose);
    child.on('exit', () => {
      running.delete(child);
      lose();
    });
    // The agent must never wait on its monitor to exit, nor leave it behind.
    child.unref();
    (child.stdout as { unref?: () => void } | null)?.unref?.();
    (child.stderr as { unref?: () => void } | null)?.unref?.();
  }

  /**
   * Subscribed: the monitor holds a NETLINK_ROUTE socket with multicast
   * groups, no dump running on it, and sleeps (in recvmsg: the only wait
   * after it subscribes). Not proof that its link dump is over: the kernel
   * may have ended the dump while iproute2 is still reading it.
   */
  private subscribed(): boolean {
    const pid = this.child?.pid;
    if (pid === undefined || this.broken) return false;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'S') return false;
      const inodes = new Set<string>();
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
          if (m) inodes.add(m[1] as string);
        } catch {
          // The fd closed while listing.
        }
      }
      // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
      for (const line of readFileSync(`/proc/${pid}/net/netlink`, 'utf8').split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f[1] === '0' && f[3] !== undefined && !/^0+$/.test(f[3]) && f[6] === '0' && inodes.has(f[9] ?? '')) return true;
      }
    } catch {
      // Gone, or /proc not readable: not known to be subscribed.
    }
    return false;
  }

  /**
   * What to re-read now, clearing it: call at the start of a collection,
   * before any read. Starts (or restarts) the monitor when needed, and then
   * waits for it to subscribe; the reads of the collection that follows the
   * start are baselines.
   */
  async take(): Promise<WatchTake> {
    this.takes++;
    const every = this.fullEvery;
    if (this.child === undefined || this.broken) {
      // Without CAP_NET_BROADCAST (NETLINK_LISTEN_ALL_NSID) or `ip monitor`, every collection reads everything,
      // as before, without paying a start and a wait each time.
      if (this.failed && this.takes <= every) return { all: true, nsids: new Set(), session: this.session, ready: false };
      this.stop();
      this.start();
      const until = Date.now() + READY_WAIT_MS;
      while (!this.broken && !this.subscribed() && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
      this.subscribedOnce = this.subscribed();
      this.failed = !this.subscribedOnce;
      this.takes = 1;
      const took: WatchTake = { all: true, nsids: new Set(), session: this.session, ready: false };
      if (this.failed) {
        const cmd = this.command();
        if (!this.told) took.problem = `\`${[cmd.file, ...cmd.args].join(' ')}\` ${this.broken ? `stopped${this.stderr.trim() ? `: ${this.stderr.trim()}` : ''}` : `did not subscribe within ${READY_WAIT_MS} ms`}; reading every netns at every collection`;
        this.told = true;
        this.stop();
      } else this.told = false;
      return took;
    }
    // A whole collection after the start: its link dump is long over. Checked again in case it is not.
    if (!this.ready) this.ready = this.subscribedOnce && this.subscribed();
    const nsids = this.dirty;
    this.dirty = new Set();
    const all = !this.ready || this.takes > every;
    if (all) this.takes = 1;
    return { all, nsids, session: this.session, ready: this.ready };
  }

  /** Events that arrived since take(), without clearing them; `broken` when the monitor cannot be trusted any more. */
  peek(): { nsids: ReadonlySet<number>; session: number; broken: boolean } {
    return { nsids: this.dirty, session: this.session, broken: this.broken || !this.ready };
  }

  /** Stops the monitor. */
  stop(): void {
    const c = this.child;
    this.child = undefined;
    this.broken = true;
    this.ready = false;
    this.subscribedOnce = false;
    if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  }
}
