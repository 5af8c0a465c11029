/**
 * The process's own output streams for the CLI entries. `podnet … | head`
 * closes the pipe after a line; the next write then fails with EPIPE, which
 * Node raises as an unhandled 'error' event and a stack trace. A reader that
 * went away wants no more output: exit quietly, as commands killed by
 * SIGPIPE do.
 */

let guarded = false;

/** Makes an EPIPE on stdout or stderr end the process quietly. Idempotent. */
export function exitQuietlyOnEpipe(): void {
  if (guarded) return;
  guarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      // Any other stream failure stays loud, as it was without this listener.
      throw e;
    });
  }
}
