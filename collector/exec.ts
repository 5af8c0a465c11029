/**
 * Running commands for the collector and the kernel lab: always execFile with
 * an argument array, so a netns or interface name can never be read as shell.
 */
import { execFile } from 'node:child_process';

/** What one command did. A failed command is a result, not an exception. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit status; 127 when the program is missing, -1 when killed by a timeout or signal. */
  code: number;
}

/** Runs one program with arguments; injectable so tests and callers can replay recorded outputs. */
export type Exec = (file: string, args: readonly string[]) => Promise<ExecResult>;

/** Output above this is a runaway command, not evidence of a node. */
const MAX_BUFFER = 256 * 1024 * 1024;

/** The real thing: execFile with a generous buffer and a timeout. */
export function makeExec(timeoutMs = 30_000): Exec {
  return (file, args) =>
    new Promise((resolve) => {
      execFile(file, [...args], { maxBuffer: MAX_BUFFER, encoding: 'utf8', timeout: timeoutMs }, (err, stdout, stderr) => {
        if (!err) {
          resolve({ stdout, stderr, code: 0 });
          return;
        }
        const code = (err as NodeJS.ErrnoException).code;
        let status: number;
        if (code === 'ENOENT') status = 127;
        else if (typeof code === 'number') status = code;
        else status = err.killed || err.signal ? -1 : 1;
        resolve({ stdout: stdout ?? '', stderr: stderr || err.message, code: status });
      });
    });
}

/** The default executor. */
export const execCommand: Exec = makeExec();

/** Runs a command and throws with its stderr when it fails: for the lab, where every command must work. */
export async function mustRun(exec: Exec, file: string, args: readonly string[]): Promise<string> {
  const r = await exec(file, args);
  if (r.code !== 0) {
    throw new Error(`command failed (${r.code}): ${file} ${args.join(' ')}\n${r.stderr.trim()}`);
  }
  return r.stdout;
}
