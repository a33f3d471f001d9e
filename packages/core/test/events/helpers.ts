import type { Auth, AuthEvent, MemoryMailer } from '../../src/index.js';
import { CTX, fail, PASSWORD } from '../flows/helpers.js';

/**
 * Registers and verifies a user; resolves to their id. Waits for the verification mail, which
 * may be sent in the background.
 */
export async function verifiedUser(
  s: { auth: Auth; mailer: MemoryMailer },
  email: string,
): Promise<string> {
  await s.auth.register({ email, password: PASSWORD }, CTX);
  const token = s.mailer.extractToken(await s.mailer.waitFor(email, 'verify-email'));
  const { user } = await s.auth.verifyEmail(token ?? fail('no token'), CTX);
  return user.id;
}

/** The events of one type. */
export const ofType = (events: readonly AuthEvent[], type: AuthEvent['type']) =>
  events.filter((e) => e.type === type);

/** Rejects with the error's code; fails when the promise resolves. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return (e as { code: string }).code;
  }
  return fail('expected a rejection');
}
