/**
 * How a CLI command fails on purpose. The exit code says which kind: 2 for bad usage (the
 * command line or its input is wrong; nothing was written), 1 for a refusal by the database's
 * state (no such user, the email is taken). Anything else thrown is a database problem (1).
 * Messages are for the operator's terminal and never hold a password.
 */
export class CliError extends Error {
  /** The exit code of `portcullis-postgres`: 1 or 2. */
  readonly exitCode: 1 | 2;

  constructor(exitCode: 1 | 2, message: string) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Bad usage (exit 2): a wrong argument or option, a password that the policy refuses. */
export const usage = (message: string): CliError => new CliError(2, message);

/** A refusal by the stored state (exit 1): no such user, a taken email. */
export const refused = (message: string): CliError => new CliError(1, message);
