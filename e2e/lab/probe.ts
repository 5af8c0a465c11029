/**
 * Asking the kernel: ping and traceroute run inside a pod's netns, with their
 * output parsed into the shape the engine's predictions are compared with.
 */
import { execCommand, type Exec } from '../../collector/exec';

/** What `ping -c 1 -M do` said. */
export interface PingResult {
  ok: boolean;
  output: string;
}

/** One line of `traceroute -n -q 1`. */
export interface TracerouteHop {
  ttl: number;
  /** Address that answered, or `*`. */
  address: string;
  /** `!H`, `!N`, `!F-1400`... : an ICMP error rather than a TTL expiry or the final answer. */
  annotation?: string;
}

/** What `traceroute` printed. */
export interface TracerouteResult {
  hops: TracerouteHop[];
  output: string;
}

/** Total IP packet size → ping's `-s` (payload after the 20-byte IP and 8-byte ICMP headers). */
export function pingPayload(size: number): number {
  return Math.max(0, size - 28);
}

export async function ping(netns: string, dst: string, size: number, exec: Exec = execCommand): Promise<PingResult> {
  const r = await exec('ip', ['netns', 'exec', netns, 'ping', '-n', '-c', '1', '-W', '1', '-M', 'do', '-s', String(pingPayload(size)), dst]);
  return { ok: r.code === 0, output: (r.stdout + r.stderr).trim() };
}

/** Parses `traceroute -n -q 1` output. Lines that are not hops (the header) are ignored. */
export function parseTraceroute(output: string): TracerouteHop[] {
  const hops: TracerouteHop[] = [];
  for (const line of output.split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const ttl = Number(m[1]);
    const rest = (m[2] ?? '').trim();
    if (rest.startsWith('*')) {
      hops.push({ ttl, address: '*' });
      continue;
    }
    const parts = rest.split(/\s+/);
    const address = parts[0] ?? '*';
    const annotation = parts.find((p) => p.startsWith('!'));
    hops.push(annotation ? { ttl, address, annotation } : { ttl, address });
  }
  return hops;
}

/**
 * traceroute with one probe per hop and a one-second wait; with `size` the
 * probes carry DF and that total length, so MTU faults answer `!F`; with
 * `udpPort`, UDP probes to that one port (`-U -p PORT`, as a DNS client sends).
 */
export async function traceroute(netns: string, dst: string, opts: { size?: number; maxHops?: number; udpPort?: number } = {}, exec: Exec = execCommand): Promise<TracerouteResult> {
  const args = ['netns', 'exec', netns, 'traceroute', '-n', '-q', '1', '-w', '1', '-m', String(opts.maxHops ?? 8)];
  if (opts.udpPort !== undefined) args.push('-U', '-p', String(opts.udpPort));
  if (opts.size !== undefined) args.push('-F', dst, String(opts.size));
  else args.push(dst);
  const r = await exec('ip', args);
  const output = (r.stdout + r.stderr).trim();
  return { hops: parseTraceroute(r.stdout), output };
}

/** Drops trailing `*` (traceroute keeps probing to the hop limit; the engine stops where the packet does). */
export function trimTrailingStars(hops: readonly string[]): string[] {
  const out = [...hops];
  while (out.length > 0 && out[out.length - 1] === '*') out.pop();
  return out;
}

/**
 * Kernel hops as comparable addresses: an ICMP error line (`!H`, `!F-1400`)
 * is not a hop that forwarded the probe, so it counts as no answer.
 */
export function kernelHops(hops: readonly TracerouteHop[]): string[] {
  return trimTrailingStars(hops.map((h) => (h.annotation ? '*' : h.address)));
}

/** Runs tasks with at most `limit` in flight, keeping results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
