import * as v from 'valibot';
import { enforceRule } from '../abuse/rate-limit.js';
import { randomToken, TOKEN_ID_BYTES } from '../crypto/tokens.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { runInBackground } from '../flows/background.js';
import { nameField, parseInput, passwordField, text } from '../flows/input.js';
import { sendVerificationMail } from '../link-tokens/verification-mail.js';
import { buildPageLink } from '../mail/link.js';
import { assertPasswordAllowed } from '../password/policy.js';
import { hashPassword } from '../password/verify.js';
import type { AuthRuntime } from '../runtime/context.js';
import { finishSignIn } from '../sign-in/complete.js';
import type { SignedIn } from '../sign-in/types.js';
import { FIRST_GENERATION } from '../storage/generation.js';
import type { UserRecord } from '../storage/types/users.js';
import { applyUserFields, parseUserFields } from '../users/fields.js';
import { MAX_EMAIL_LENGTH, normalizeEmail, normalizeUsername } from '../users/normalize.js';

/** Input of `auth.register`. */
export interface RegisterInput {
  /** The address; trimmed, NFKC-normalized, and compared lower-cased. */
  email: string;
  /**
   * The new password; checked against the policy (NIST SP 800-63B). Optional only with magic
   * links on (`magicLink`): an account without one signs in by mailed link or code.
   */
  password?: string | undefined;
  /** Optional username: 3–32 letters, digits, `.`, `_`, `-`; unique, case-insensitive. */
  username?: string | undefined;
  /** Optional first name, up to 100 characters. */
  firstName?: string | undefined;
  /** Optional last name, up to 100 characters. */
  lastName?: string | undefined;
}

/**
 * What registration answers: `verification_sent`, or with `registration.signIn` (and no
 * required verification) a new account's sign-in (`signed_in`, its session and tokens).
 */
export type RegisterResult = { status: 'verification_sent' } | SignedIn;

/**
 * The input schema (also the source of the OpenAPI document's request body). `password` is
 * optional here because magic links make it so; without them {@link register} requires it.
 */
export const registerSchema = v.object({
  email: text('email', MAX_EMAIL_LENGTH),
  password: v.optional(passwordField()),
  username: v.optional(text('username', 64)),
  firstName: nameField('firstName'),
  lastName: nameField('lastName'),
});

/** {@link registerSchema} with the password required: magic links off (the same error as ever). */
const withPasswordSchema = v.object({ ...registerSchema.entries, password: passwordField() });

/**
 * Registers an account and mails a verification link (single use, 24 h by default). With
 * magic links on (`magicLink`) the password may be left out: the account then has none and
 * signs in by mailed link or code (and may set a password later, `auth.passwords.change`);
 * without them it is required (`VALIDATION_FAILED` on `password`).
 * Enumeration-safe: an address that already has an account gets the same answer after the
 * same work (the password is hashed either way), and its owner is mailed a notice instead of a
 * second account being made. The answer comes before the account is stored: the account, its
 * verification token, the audit rows and the mail are written in the background, in that order
 * (a store failure there is logged, and the answer stays `verification_sent`).
 * Throttled before any work: `registerPerIp` (default 20 an hour) and `registerPerAddress`
 * (3 an hour for one address, known or not).
 * With `registration.signIn` (only without required verification) a new address with a
 * password is stored at once and signed in (`signed_in`); a taken one answers as above.
 * The app's own fields marked `input: true` are validated and stored (docs/user-fields.md).
 * @throws AuthError `VALIDATION_FAILED`, `WEAK_PASSWORD`, `USERNAME_TAKEN`, `RATE_LIMITED`
 */
export async function register(
  rt: AuthRuntime,
  input: RegisterInput,
  context: RequestContext,
): Promise<RegisterResult> {
  const data = parseInput(
    rt.config.magicLink === undefined ? withPasswordSchema : registerSchema,
    input,
  );
  // The app's own fields marked `input: true`, each by its schema; a declared field without
  // `input` is refused naming it. Other unknown keys are ignored, as ever.
  const fieldValues = parseUserFields(
    rt.config.user.fields,
    input as unknown as Readonly<Record<string, unknown>>,
    'register',
  );
  const email = normalizeEmail(data.email);
  if (!email) throw invalid('email', 'email is not a valid address');
  // Before the hash (the costly part) and the lookup, so unknown and known addresses are
  // throttled alike: per client IP, then per address (mails to one inbox).
  if (context.ip !== undefined) await enforceRule(rt, 'registerPerIp', context.ip);
  await enforceRule(rt, 'registerPerAddress', email.emailNormalized);
  const username = data.username === undefined ? undefined : normalizeUsername(data.username);
  if (data.username !== undefined && !username) {
    throw invalid('username', 'username must be 3–32 letters, digits, ".", "_" or "-"');
  }
  const { password } = data;
  if (password !== undefined) {
    assertPasswordAllowed(rt.config, password, {
      context: {
        email: email.email,
        username: username?.username,
        firstName: data.firstName,
        lastName: data.lastName,
      },
    });
  }
  // Hash before looking anything up: both outcomes below cost the same (a passwordless
  // registration hashes nothing, for a new and a taken address alike).
  const passwordHash =
    password === undefined
      ? undefined
      : await hashPassword(password, { hasher: await rt.hasher() });
  if (username && (await rt.storage.users.getByUsername(username.usernameNormalized))) {
    throw new AuthError('USERNAME_TAKEN');
  }
  const now = rt.now();
  const user: UserRecord = {
    id: randomToken({ bytes: TOKEN_ID_BYTES, random: rt.config.random }),
    email: email.email,
    emailNormalized: email.emailNormalized,
    ...(username ?? {}),
    ...(passwordHash === undefined ? {} : { passwordHash }),
    ...(data.firstName ? { firstName: data.firstName } : {}),
    ...(data.lastName ? { lastName: data.lastName } : {}),
    metadata: applyUserFields({}, fieldValues)?.metadata ?? {},
    disabled: false,
    credentialGeneration: FIRST_GENERATION,
    createdAt: now,
    updatedAt: now,
  };
  const existing = await rt.storage.users.getByEmail(email.emailNormalized);
  if (rt.config.registration.signIn && passwordHash !== undefined && !existing) {
    return registerAndSignIn(rt, user, context);
  }
  // Answer now, after the same awaited work for a new and a taken address (validation, the
  // limits, the hash, the lookups). The account, its token, the audit rows and the mail follow
  // in the background: their store round trips would tell the two apart.
  await runInBackground(rt.config.logger, 'register', async () => {
    if (existing) return notifyExisting(rt, existing, context);
    if ((await rt.storage.users.create(user)) === 'conflict') {
      // Lost a race to the same address (its owner is told, as above) or to the same username
      // (the answer has gone: the account is not made and the registrant can try again).
      const raced = await rt.storage.users.getByEmail(email.emailNormalized);
      // Our own account, from an earlier run of this job that failed later (it is run again
      // after a store outage): carry on with its verification mail.
      if (raced?.id === user.id) return sendVerificationMail(rt, raced, context);
      if (raced) return notifyExisting(rt, raced, context);
      rt.config.logger.warn('registration lost a race for its username', {});
      return;
    }
    await rt.emit({ type: 'user.registered', userId: user.id }, context);
    await sendVerificationMail(rt, user, context);
  });
  return { status: 'verification_sent' };
}

/**
 * `registration.signIn`: the account is stored now (not in the background: the session needs
 * it) and signed in with `amr: ["pwd"]`; the verification mail still goes out. A race lost to
 * the same address answers as a taken address does (`verification_sent`, its owner notified).
 */
async function registerAndSignIn(
  rt: AuthRuntime,
  user: UserRecord,
  context: RequestContext,
): Promise<RegisterResult> {
  if ((await rt.storage.users.create(user)) === 'conflict') {
    const raced = await rt.storage.users.getByEmail(user.emailNormalized);
    if (!raced) throw new AuthError('USERNAME_TAKEN');
    await runInBackground(rt.config.logger, 'register', () => notifyExisting(rt, raced, context));
    return { status: 'verification_sent' };
  }
  await rt.emit({ type: 'user.registered', userId: user.id }, context);
  await runInBackground(rt.config.logger, 'register', () =>
    sendVerificationMail(rt, user, context),
  );
  const result = await finishSignIn(rt, user, { amr: ['pwd'], context });
  // A new account has no second factor: the sign-in stands.
  if (result.status !== 'signed_in') throw new AuthError('INTERNAL');
  return result;
}

/** Tells the owner of a taken address that someone tried to register it (in the background). */
async function notifyExisting(
  rt: AuthRuntime,
  owner: UserRecord,
  context: RequestContext,
): Promise<void> {
  await rt.emit({ type: 'user.register_existing', userId: owner.id }, context);
  await rt.sendMail(
    'register-existing',
    owner.email,
    {
      appName: rt.config.appName,
      firstName: owner.firstName,
      link: buildPageLink(rt.config.appUrl, rt.config.passwordReset.path),
    },
    { userId: owner.id, context },
  );
}

function invalid(path: string, message: string): AuthError {
  return new AuthError('VALIDATION_FAILED', { details: [{ path, message }] });
}
