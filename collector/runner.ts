/**
 * Running many commands with one child of the collector. Spawning from Node
 * forks the whole collector process: on a 110-pod node, 121 spawns cost
 * ~250 ms of the collector's own CPU per collection (collector/bench.ts),
 * more than everything else it does. One `sh` reading the commands as
 * arguments forks a small shell instead, and each command's output goes to
 * files in a private directory, so no output can be mistaken for framing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NetnsSnapshot } from '../lib/snapshot/schema';
import type { Exec, ExecResult } from './exec';
import type { Command } from './target';

/** Runs commands and returns their results in input order; a command that fails is a result, not an exception. */
export type RunMany = (cmds: readonly Command[]) => Promise<ExecResult[]>;

/**
 * `sh -c RUNNER name DIR  N1 FILE ARG…  N2 FILE ARG…`: each command is a
 * count and that many words. `eval` only ever sees `"${k}"` references, never
 * the words themselves, so a netns name cannot become shell syntax. Command i
 * writes DIR/i.out and DIR/i.err; its exit status is line i of stdout.
 */
const RUNNER = [
  'd=$1; shift; i=0',
  'while [ $# -gt 0 ]; do',
  '  n=$1; shift; c=; k=1',
  '  while [ $k -le $n ]; do c="$c \\"\\${$k}\\""; k=$((k+1)); done',
  '  eval "$c" >"$d/$i.out" 2>"$d/$i.err" </dev/null',
  '  echo $?',
  '  shift $n; i=$((i+1))',
  'done',
].join('\n');

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/** Output above this is a runaway command, not evidence of a node. */
const MAX_BUFFER = 16 * 1024 * 1024;

/**
 * The real runner: one `sh` for the whole list, commands one after another
 * (a collection is CPU-bound in iproute2, so running them in parallel would
 * only shorten the wall time, which a 30 s interval does not need).
 */
export function shellRunMany(opts: { timeoutMs?: number; shell?: string } = {}): RunMany {
  return async (cmds) => {
    if (cmds.length === 0) return [];
    const dir = mkdtempSync(path.join(tmpdir(), 'podnet-run-'));
    try {
      const argv: string[] = [];
      for (const c of cmds) argv.push(String(c.args.length + 1), c.file, ...c.args);
      const r = await new Promise<{ stdout: string; error?: string }>((resolve) => {
        execFile(
          opts.shell ?? 'sh',
          ['-c', RUNNER, 'podnet-run', dir, ...argv],
          { encoding: 'utf8', maxBuffer: MAX_BUFFER, timeout: opts.timeoutMs ?? 120_000 },
          (err, stdout, stderr) => {
            if (!err) resolve({ stdout });
            else resolve({ stdout: stdout ?? '', error: (stderr || err.message).trim() || 'the command runner failed' });
          },
        );
      });
      const codes = r.stdout.split('\n');
      return cmds.map((_, i): ExecResult => {
        const code = codes[i];
        if (code === undefined || !/^\d+$/.test(code)) {
          // The runner stopped before this command (timeout, killed): not run is not "printed nothing".
          return { stdout: '', stderr: `not run: ${r.error ?? 'the command runner stopped early'}`, code: -1 };
        }
        return { stdout: readOr(path.join(dir, `${i}.out`), ''), stderr: readOr(path.join(dir, `${i}.err`), ''), code: Number(code) };
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
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
  const firstResults = await runMany(plans.flatMap((p) => p.first));
  let at = 0;
  const seconds = plans.map((p) => {
    const mine = firstResults.slice(at, at + p.first.length);
    at += p.first.length;
    return p.then(mine);
  });
  const secondResults = await runMany(seconds.flatMap((s) => s.second));
  at = 0;
  return seconds.map((s) => {
    const mine = secondResults.slice(at, at + s.second.length);
    at += s.second.length;
    return s.finish(mine);
  });
}
