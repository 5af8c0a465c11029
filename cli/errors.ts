/** Exit code when the command did its job (for `trace`, whatever the verdict). */
export const EXIT_OK = 0;
/** Exit code for a bug or an environment failure nobody anticipated. */
export const EXIT_UNEXPECTED = 1;
/** Exit code for a usage error or input that cannot be read (the message names the file and line). */
export const EXIT_USAGE = 2;

/** An error the CLI reports as one message and an exit code, without a stack trace. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
