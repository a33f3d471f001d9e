import { randomBytes } from 'node:crypto';
import { createAuth, type Mailer, silentLogger } from '@portcullis/core';
import { createPasswordHasher } from '@portcullis/core/password';
import type { Storage } from '@portcullis/core/storage';
import { usage } from './errors.js';

/** The most stdin a password may take: far above any policy's maximum, bounded all the same. */
const MAX_STDIN_BYTES = 64 * 1024;

/**
 * `process.stdin` to its end: the default of `CliIo.stdin`. A terminal is refused: what is
 * typed there is echoed, and the password belongs in a pipe (`printf '%s' "$PW" | …`).
 * @throws CliError (exit 2) on a terminal, or past 64 KiB
 */
export async function readProcessStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw usage(
      `--password-stdin reads a pipe, not a terminal: printf '%s' "$PASSWORD" | portcullis-postgres users create …`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size > MAX_STDIN_BYTES) throw usage('stdin holds more than a password.');
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The password in `input`: one line, its line end (`\n` or `\r\n`) dropped and nothing else
 * (spaces are part of a password; NIST SP 800-63B 5.1.1.2: no truncation).
 * @throws CliError (exit 2) for an empty input or several lines
 */
export function passwordOf(input: string): string {
  const password = input.replace(/\r?\n$/, '');
  if (password === '') throw usage('--password-stdin: stdin is empty.');
  if (/[\r\n]/.test(password)) throw usage('--password-stdin: stdin holds more than one line.');
  return password;
}

/** A mailer that refuses: nothing the CLI does through `Auth` sends mail. */
const noMail: Mailer = {
  send: () => Promise.reject(new Error('portcullis-postgres sends no mail')),
};

/**
 * Checks `password` against core's default policy (length, common passwords, words of the
 * email) and hashes it with core's default argon2id parameters, through a real `Auth`. The
 * app's own policy or hasher may be stricter: its `checkPassword` applies at the next change,
 * and a hash under other parameters is replaced at the first sign-in (core rehashes it).
 * @throws CliError (exit 2) when the policy refuses the password, with its reasons
 */
export async function hashNewPassword(
  storage: Storage,
  password: string,
  context: { email: string },
): Promise<string> {
  // Inline hashing: one hash is not worth a worker pool. No secret is used by hashing, so a
  // random one (never $AUTH_SECRET: nothing here needs the app's).
  const hasher = await createPasswordHasher({ backend: 'inline' });
  const auth = createAuth({
    storage,
    mailer: noMail,
    appUrl: 'http://localhost',
    secret: randomBytes(32).toString('base64url'),
    logger: silentLogger,
    password: { hasher },
  });
  try {
    const policy = auth.checkPassword(password, context);
    if (!policy.ok) {
      throw usage(`The password is refused: ${policy.details.map((d) => d.message).join(' ')}`);
    }
    return await auth.hashPassword(password);
  } finally {
    await auth.close();
  }
}
