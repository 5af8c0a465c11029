/**
 * `podnet collect`: the node collector as a command. Parses options, builds
 * the collect function (iproute2 via collectNode, pod identity from the
 * Kubernetes API or the netns names) and either writes one snapshot or runs
 * the push loop. Networking decisions live in collector/ and lib/.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Command as Commander, CommanderError, InvalidArgumentError, type Command } from 'commander';
import type { Snapshot } from '../lib/snapshot/schema';
import { fullEveryFromEnv, runAgent } from '../collector/agent';
import { collectNode, type CollectOptions } from '../collector/collect';
import { applyKubeFacts, connectKube, fetchKubeFacts, inCluster, type KubeApi } from '../collector/kube';
import { netnsNameIdentity } from '../collector/podIdentity';
import { defaultSpoolDir, Spool } from '../collector/spool';
import { NetnsWatch } from '../collector/watch';
import { CliError, EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE } from './errors';
import type { CliIo } from './program';
import { exitQuietlyOnEpipe } from './stdio';

/** Options as commander hands them over. */
interface CollectFlags {
  node?: string;
  hostNetns?: string;
  podNetns?: string;
  kubeconfig?: string;
  kubernetes: boolean;
  out?: string;
  server?: string;
  cluster?: string;
  token?: string;
  tokenFile?: string;
  interval?: number;
  once?: boolean;
  spoolDir?: string;
  spoolMax: number;
  spoolMaxBytes: number;
  retryMax: number;
}

/** `30s`, `500ms`, `2m`, `1h`, or bare seconds → milliseconds. */
export function parseDuration(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError('expected a duration such as 30s, 500ms, 2m');
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = Math.round(Number(m[1]) * unit);
  if (ms < 100) throw new InvalidArgumentError('expected at least 100ms');
  return ms;
}

/** `1000`, `64MB`, `1GiB` → bytes. */
export function parseBytes(v: string): number {
  const m = /^(\d+)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i.exec(v.trim());
  if (!m) throw new InvalidArgumentError('expected a size such as 100MB');
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('g') ? 1024 ** 3 : 1;
  return Number(m[1]) * mult;
}

function parseCount(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return Number(v);
}

/** The token from --token, PODNET_TOKEN or --token-file, in that order; never echoed. */
async function resolveToken(flags: CollectFlags, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (flags.token) return flags.token;
  if (env.PODNET_TOKEN) return env.PODNET_TOKEN;
  if (flags.tokenFile) {
    try {
      const t = (await readFile(flags.tokenFile, 'utf8')).trim();
      return t === '' ? undefined : t;
    } catch (err) {
      throw new CliError(EXIT_USAGE, `cannot read --token-file ${flags.tokenFile}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  return undefined;
}

/**
 * The function that collects one snapshot, Kubernetes identity included
 * when an API is at hand; with `watch`, re-reading only the pod netns it
 * saw change (its monitor must run in the host netns of `flags`).
 */
export function makeCollect(
  flags: Pick<CollectFlags, 'node' | 'hostNetns' | 'podNetns'> & { nodeName: string },
  kube: KubeApi | undefined,
  watch?: NetnsWatch,
): () => Promise<{ snapshot: Snapshot; warnings: string[] }> {
  return async () => {
    const opts: CollectOptions = { nodeName: flags.nodeName, podIdentity: netnsNameIdentity(flags.podNetns) };
    if (flags.hostNetns !== undefined) opts.hostNetns = flags.hostNetns;
    if (flags.podNetns !== undefined) opts.podNetns = flags.podNetns;
    if (watch !== undefined) opts.watch = watch;
    const [collected, facts] = await Promise.all([collectNode(opts), kube ? fetchKubeFacts(kube, flags.nodeName) : Promise.resolve(undefined)]);
    if (facts === undefined) return collected;
    const applied = applyKubeFacts(collected.snapshot, facts);
    return { snapshot: applied.snapshot, warnings: [...collected.warnings, ...applied.warnings] };
  };
}

async function runCollect(flags: CollectFlags, io: CliIo, env: NodeJS.ProcessEnv): Promise<number> {
  const nodeName = flags.node ?? env.NODE_NAME ?? hostname();
  const pushing = flags.server !== undefined;
  if (!pushing && flags.out === undefined) throw new CliError(EXIT_USAGE, 'say where the snapshot goes: --out FILE (or -), or --server URL --cluster NAME');
  if (!pushing && flags.interval !== undefined) throw new CliError(EXIT_USAGE, '--interval needs --server: only pushing repeats');
  if (pushing && flags.cluster === undefined) throw new CliError(EXIT_USAGE, '--server needs --cluster NAME');
  if (pushing) {
    try {
      const u = new URL(flags.server ?? '');
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    } catch {
      throw new CliError(EXIT_USAGE, `--server ${flags.server ?? ''} is not an http(s) URL`);
    }
  }
  const token = pushing ? await resolveToken(flags, env) : undefined;
  if (pushing && token === undefined) throw new CliError(EXIT_USAGE, 'pushing needs an ingest token: --token, PODNET_TOKEN or --token-file (create one with `podnet token create --cluster NAME`)');

  const log = (m: string) => io.stderr(`${new Date().toISOString()} ${m}\n`);
  let kube: KubeApi | undefined;
  if (flags.kubernetes && (flags.kubeconfig !== undefined || inCluster(env))) {
    try {
      kube = await connectKube(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {});
    } catch (err) {
      log(`warning: no Kubernetes API (${err instanceof Error ? err.message : String(err)}); pod identity from netns names only`);
    }
  }
  if (!pushing) {
    const collect = makeCollect({ ...flags, nodeName }, kube);
    const { snapshot, warnings } = await collect();
    for (const w of warnings) io.stderr(`warning: ${w}\n`);
    // Pushed snapshots are validated by the server; a file is read later by anyone, so it is checked here.
    const { validateSnapshot } = await import('../lib/snapshot/validate');
    const valid = validateSnapshot(snapshot);
    if (!valid.ok) {
      throw new CliError(EXIT_UNEXPECTED, `the collected snapshot of ${nodeName} is not valid: ${valid.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    }
    const text = `${JSON.stringify(snapshot, null, 2)}\n`;
    if (flags.out === '-') io.stdout(text);
    else await writeFile(flags.out ?? '', text);
    return EXIT_OK;
  }

  const spool = new Spool(flags.spoolDir ?? (await defaultSpoolDir()), { maxCount: flags.spoolMax, maxBytes: flags.spoolMaxBytes }, (m) => log(`warning: ${m}`));
  const controller = new AbortController();
  const stop = () => controller.abort();
  const intervalMs = flags.once ? undefined : (flags.interval ?? 30_000);
  // Repeating, an `ip monitor` says which pod netns changed, for this run only; one read needs none.
  const fullEvery = intervalMs === undefined ? 1 : fullEveryFromEnv(env, log);
  const watch = fullEvery > 1 ? new NetnsWatch(flags.hostNetns === undefined ? { kind: 'current' } : { kind: 'named', name: flags.hostNetns }, { fullEvery }) : undefined;
  const collect = makeCollect({ ...flags, nodeName }, kube, watch);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    const collectAndKeep = flags.out === undefined || flags.out === '-'
      ? collect
      : async () => {
          const r = await collect();
          await writeFile(flags.out ?? '', `${JSON.stringify(r.snapshot, null, 2)}\n`);
          return r;
        };
    log(`collecting node ${nodeName}${intervalMs ? ` every ${intervalMs / 1000}s` : ' once'}, pushing to ${flags.server} cluster ${flags.cluster}, spool ${spool.dir}`);
    const result = await runAgent({
      collect: collectAndKeep,
      spool,
      target: { server: flags.server ?? '', cluster: flags.cluster ?? '', token: token ?? '' },
      ...(intervalMs !== undefined ? { intervalMs } : { onceTimeoutMs: 60_000 }),
      backoff: { baseMs: 500, capMs: Math.min(flags.retryMax, intervalMs ?? flags.retryMax) },
      log,
      signal: controller.signal,
    });
    if (!flags.once) return EXIT_OK;
    const last = result.last;
    if (result.collections === 0) return EXIT_UNEXPECTED;
    if (last && (last.pending > 0 || last.rejected > 0)) return EXIT_UNEXPECTED;
    return EXIT_OK;
  } finally {
    watch?.stop();
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
}

const COLLECT_HELP = `Reads the host netns and every pod netns with iproute2 (run as root on the node).
Pod netns: /var/run/netns (containerd, CRI-O) and /var/run/docker/netns (docker).
Pod identity: from the Kubernetes API when KUBERNETES_SERVICE_HOST is set or
--kubeconfig is given, else from netns names (PREFIX<namespace>_<pod>).

Examples:
  podnet collect --out node1.json
  podnet collect --once --server https://podnet.example --cluster prod --token-file /etc/podnet/token
  podnet collect --server https://podnet.example --cluster prod --interval 30s   (token in PODNET_TOKEN)
  podnet collect --host-netns lab-node1 --pod-netns 'lab-node1-*' --node node1 --out -

Pushing spools every snapshot to disk first and deletes it only after the
server's 2xx, so a server outage loses nothing within --spool-max; snapshots a
server refuses (4xx other than 408/429) move to SPOOL/rejected/.`;

/** Adds `collect` to the program. */
export function registerCollect(program: Command, io: CliIo, setCode: (code: number) => void, env: NodeJS.ProcessEnv = process.env): void {
  program
    .command('collect')
    .description('collect this node’s network evidence into a snapshot; write it or push it to a podnet server')
    .option('--node <name>', 'Kubernetes node name (default: NODE_NAME, else the hostname)')
    .option('--host-netns <name>', 'named netns acting as the node’s host netns (a simulated node)')
    .option('--pod-netns <glob>', 'pod netns names to visit, a glob over `ip netns list` (default: all)')
    .option('--kubeconfig <file>', 'ask this cluster’s API for pod identity (default: in-cluster service account when in a pod)')
    .option('--no-kubernetes', 'never ask the Kubernetes API')
    .option('--out <file>', 'write the snapshot JSON to FILE (- for stdout)')
    .option('--server <url>', 'podnet server to push to')
    .option('--cluster <name>', 'cluster name on the server')
    .option('--token <token>', 'ingest token (prefer PODNET_TOKEN or --token-file: arguments are visible in ps)')
    .option('--token-file <file>', 'file holding the ingest token')
    .option('--interval <duration>', 'collect and push every DURATION (default 30s)', parseDuration)
    .option('--once', 'collect and push one snapshot, then exit (1 if it could not be delivered)')
    .option('--spool-dir <dir>', 'where unsent snapshots wait (default /var/lib/podnet/spool, else ./data/spool)')
    .option('--spool-max <count>', 'most snapshots kept while the server is unreachable', parseCount, 1000)
    .option('--spool-max-bytes <size>', 'most bytes kept in the spool', parseBytes, 256 * 1024 ** 2)
    .option('--retry-max <duration>', 'longest wait between retries (capped at the interval)', parseDuration, 30_000)
    .addHelpText('after', `\n${COLLECT_HELP}`)
    .action(async (flags: CollectFlags) => {
      setCode(await runCollect(flags, io, env));
    });
}

/**
 * `podnet collect` on its own: the entry of the collector bundle
 * (collector/build.mjs), which loads none of the engine's other commands.
 * Exit codes and error messages are those of the full CLI.
 */
export async function runCollectCli(args: readonly string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // The collector bundle's process entry (collector/main.ts) comes through here, not through program.ts's main.
  exitQuietlyOnEpipe();
  let code = EXIT_OK;
  const program = new Commander().name('podnet').exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerCollect(program, io, (c) => (code = c), env);
  try {
    await program.parseAsync(['collect', ...args], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return EXIT_OK;
      return EXIT_USAGE;
    }
    if (e instanceof CliError) {
      io.stderr(`podnet: ${e.message}\n`);
      return e.exitCode;
    }
    io.stderr(`podnet: unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT_UNEXPECTED;
  }
}
