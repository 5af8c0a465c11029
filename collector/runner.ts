/**
 * Running many commands with one child of the collector. Spawning from Node
 * forks the whole collector process: on a 110-pod node, 121 spawns cost
 * ~250 ms of the collector's own CPU per collection (collector/bench.ts),
 * more than everything else it does. One `sh` reading the commands as
 * arguments forks a small shell instead.
 *
 * Outputs come back in the shell's own stdout and stderr, each command's
 * between two marker lines carrying a random mark. Files per command (the
 * earlier design) cost ~10 ms of the collector's CPU per 110-pod collection
 * to read and delete. The mark travels in the environment, which only root
 * and the shell itself can read (/proc/PID/environ is 0400), never in argv,
 * so no command's output can know it and be mistaken for framing.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NetnsSnapshot } from '../lib/snapshot/schema';
import type { Exec, ExecResult } from './exec';
import type { Command } from './target';

/** Runs commands and returns their results in input order; a command that fails is a result, not an exception. */
export type RunMany = (cmds: readonly Command[]) => Promise<ExecResult[]>;

/**
 * `sh -c RUNNER name  N1 FILE ARG…  N2 FILE ARG…`: each command is a count
 * and that many words. `eval` only ever sees `"${k}"` references, never the
 * words themselves, so a netns name cannot become shell syntax. Command i's
 * output sits between `MARK B i` and `\nMARK E i STATUS` on stdout, its
 * stderr between `MARK B i` and `\nMARK E i` on stderr.
 */
const RUNNER = [
  'm=$PODNET_RUN_MARK; i=0',
  'while [ $# -gt 0 ]; do',
  '  n=$1; shift; c=; k=1',
  '  while [ $k -le $n ]; do c="$c \\"\\${$k}\\""; k=$((k+1)); done',
  "  printf '%s B %d\\n' \"$m\" $i; printf '%s B %d\\n' \"$m\" $i >&2",
  '  eval "$c" </dev/null',
  '  s=$?',
  "  printf '\\n%s E %d %d\\n' \"$m\" $i $s; printf '\\n%s E %d\\n' \"$m\" $i >&2",
  '  shift $n; i=$((i+1))',
  'done',
].join('\n');

/** Output above this is a runaway command, not evidence of a node (one node's every command together). */
const MAX_BUFFER = 256 * 1024 * 1024;

/** Command i's text between its markers in `text`, searching from `from`; `end` is where the search may go on. */
function framed(text: string, mark: string, i: number, from: number): { body: string; rest: string; end: number } | undefined {
  const begin = `${mark} B ${i}\n`;
  const b = text.indexOf(begin, from);
  if (b < 0) return undefined;
  const start = b + begin.length;
  const close = `\n${mark} E ${i}`;
  const e = text.indexOf(close, start);
  if (e < 0) return undefined;
  const nl = text.indexOf('\n', e + close.length);
  const lineEnd = nl < 0 ? text.length : nl;
  return { body: text.slice(start, e), rest: text.slice(e + close.length, lineEnd), end: lineEnd };
}

/**
 * The real runner: one `sh` for the whole list, commands one after another
 * (a collection is CPU-bound in iproute2, so running them in parallel would
 * only shorten the wall time, which a 30 s interval does not need). The
 * shell writes to two files read once it exits: through pipes, the
 * collector woke up for every marker and every block iproute2 wrote, ~40 ms
 * of its CPU per 110-pod round.
 */
export function shellRunMany(opts: { timeoutMs?: number; shell?: string } = {}): RunMany {
  return async (cmds) => {
    if (cmds.length === 0) return [];
    const mark = `podnet-${randomBytes(16).toString('hex')}`;
    const argv: string[] = [];
    for (const c of cmds) argv.push(String(c.args.length + 1), c.file, ...c.args);
    // Two files straight in the temp dir, created exclusively (never through someone's symlink); a directory
    // to remove recursively cost ~1.4 ms per round (rm tries rmdir, lists, unlinks, rmdirs again).
    // Named apart from the mark: /tmp can be listed by anyone, the mark must stay unknown.
    const base = path.join(tmpdir(), `podnet-run-${randomBytes(8).toString('hex')}`);
    const outFile = `${base}.out`;
    const errFile = `${base}.err`;
    try {
      const out = openSync(outFile, 'wx', 0o600);
      let err: number;
      try {
        err = openSync(errFile, 'wx', 0o600);
      } catch (e) {
        closeSync(out);
        throw e;
      }
      let error: string | undefined;
      try {
        error = await new Promise<string | undefined>((resolve) => {
          const child = spawn(opts.shell ?? 'sh', ['-c', RUNNER, 'podnet-run', ...argv], { stdio: ['ignore', out, err], env: { ...process.env, PODNET_RUN_MARK: mark } });
          const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
          child.on('error', (e) => {
            clearTimeout(timer);
            resolve(e.message);
          });
          child.on('exit', (code, signal) => {
            clearTimeout(timer);
            resolve(signal ? `the command runner was killed (${signal})` : code === 0 ? undefined : `the command runner exited with ${code}`);
          });
        });
      } finally {
        closeSync(out);
        closeSync(err);
      }
      const stdout = readBounded(outFile);
      const stderr = readBounded(errFile);
      let at = 0;
      let atErr = 0;
      return cmds.map((_, i): ExecResult => {
        const o = framed(stdout, mark, i, at);
        const code = o && /^ (\d+)$/.exec(o.rest)?.[1];
        if (o === undefined || code === undefined) {
          // The runner stopped before this command finished (timeout, killed): not run is not "printed nothing".
          return { stdout: '', stderr: `not run: ${error ?? 'the command runner stopped early'}`, code: -1 };
        }
        at = o.end;
        const e = framed(stderr, mark, i, atErr);
        if (e !== undefined) atErr = e.end;
        return { stdout: o.body, stderr: e?.body ?? '', code: Number(code) };
      });
    } finally {
      for (const f of [outFile, errFile]) rmSync(f, { force: true });
    }
  };
}

/** A file the runner wrote, or '' past MAX_BUFFER (a runaway command, whose results then read as not run). */
function readBounded(file: string): string {
  try {
    return statSync(file).size > MAX_BUFFER ? '' : readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** A runner over an injected Exec (tests replaying recorded outputs), at most `limit` commands at once. */
export function runManyWith(exec: Exec, limit = 4): RunMany {
  return async (cmds) => {
    const out: ExecResult[] = new Array(cmds.length);
    let next = 0;
    const worker = async () => {
      while (next < cmds.length) {
        const i = next++;
        const c = cmds[i] as Command;
        out[i] = await exec(c.file, c.args);
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, cmds.length) }, worker));
    return out;
  };
}

/**
 * How one netns is read, in two rounds so that every netns of a node shares
 * one runner per round: `first` needs nothing, `then` reads its results and
 * names the commands that depend on them (rp_filter files need interface
 * names; the FDB is only worth reading where a bridge or VXLAN device is).
 */
export interface NetnsPlan {
  first: Command[];
  then: (results: readonly ExecResult[]) => {
    second: Command[];
    finish: (results: readonly ExecResult[]) => { netns: NetnsSnapshot; warnings: string[] };
  };
}

/**
 * Runs the plans of a node with two runner calls in all (one per round),
 * results in plan order.
 */
export async function runPlans(plans: readonly NetnsPlan[], runMany: RunMany): Promise<Array<{ netns: NetnsSnapshot; warnings: string[] }>> {
  return (await runPlansAlongside(plans, [], runMany)).collected;
}

/**
 * runPlans, with `alongside` commands that belong to no netns (the node's
 * iptables-save) run in the first round, so they cost no runner of their own.
 */
export async function runPlansAlongside(
  plans: readonly NetnsPlan[],
  alongside: readonly Command[],
  runMany: RunMany,
): Promise<{ collected: Array<{ netns: NetnsSnapshot; warnings: string[] }>; alongside: ExecResult[] }> {
  const planCmds = plans.flatMap((p) => p.first);
  const allFirst = await runMany([...planCmds, ...alongside]);
  const firstResults = allFirst.slice(0, planCmds.length);
  const extra = alongside.map((_, i) => allFirst[planCmds.length + i] ?? { stdout: '', stderr: 'not run', code: -1 });
  let at = 0;
  const seconds = plans.map((p) => {
    const mine = firstResults.slice(at, at + p.first.length);
    at += p.first.length;
    return p.then(mine);
  });
  const secondResults = await runMany(seconds.flatMap((s) => s.second));
  at = 0;
  const collected = seconds.map((s) => {
    const mine = secondResults.slice(at, at + s.second.length);
    at += s.second.length;
    return s.finish(mine);
  });
  return { collected, alongside: extra };
}
