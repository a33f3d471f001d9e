import * as v from 'valibot';
import { updateProfileSchema } from '../account/profile.js';
import { randomToken, TOKEN_ID_BYTES } from '../crypto/tokens.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { runInBackground } from '../flows/background.js';
import { nameField, passwordField } from '../flows/input.js';
import { issueLinkToken } from '../link-tokens/link-token.js';
import { sendVerificationMail } from '../link-tokens/verification-mail.js';
import { buildLink } from '../mail/link.js';
import { assertPasswordAllowed } from '../password/policy.js';
import { hashPassword } from '../password/verify.js';
import type { AuthRuntime } from '../runtime/context.js';
import { FIRST_GENERATION } from '../storage/generation.js';
import { TOKEN_PURPOSES } from '../storage/purposes.js';
import type { UserRecord } from '../storage/types/users.js';
import { applyUserFields, parseWithUserFields } from '../users/fields.js';
import { normalizeEmail, normalizeUsername } from '../users/normalize.js';
import { emailTaken } from './email.js';
import {
  type AdminActor,
  type AdminUser,
  actorWith,
  adminEmailField,
  assertKnownRoles,
  audited,
  rolesField,
  toAdminUser,
} from './users.js';

/**
 * A new user as an admin gives it (`POST /admin/users`). Strict: a key not listed is refused,
 * naming it; the app's own user fields (docs/user-fields.md) are taken apart first and checked
 * by their schemas (`parseWithUserFields`).
 */
export const adminCreateSchema = v.strictObject({
  email: adminEmailField,
  username: v.optional(updateProfileSchema.entries.username.wrapped.wrapped),
  firstName: nameField('firstName'),
  lastName: nameField('lastName'),
  roles: rolesField,
  emailVerified: v.optional(v.boolean('emailVerified must be true or false')),
  password: v.optional(passwordField('password')),
});

/** Input of `auth.admin.users.create`. */
export interface AdminCreateUserInput {
  /** The address (trimmed, NFKC; compared lower-cased); unique. */
  email: string;
  /** 3 to 32 letters, digits, `.`, `_`, `-`; unique, case-insensitive. */
  username?: string | undefined;
  /** Up to 100 characters, trimmed. */
  firstName?: string | undefined;
  /** Up to 100 characters, trimmed. */
  lastName?: string | undefined;
  /** Roles named in the configuration. Default none. */
  roles?: readonly string[] | undefined;
  /** The address counts as verified from the start. Default `false`. */
  emailVerified?: boolean | undefined;
  /**
   * A password, checked by the password policy. Absent: the person is mailed an invitation
   * link to choose one (`invitation.tokenTtlSeconds`, default 7 days).
   */
  password?: string | undefined;
}

/**
 * Creates a user (`users:write`), with a password or by invitation.
 *
 * - With `password` (checked by the policy, hashed as registration does), the user can sign in
 *   at once when `emailVerified` is `true` (or verification is not required); otherwise a
 *   verification link is mailed, as after registration.
 * - Without, an `invitation` mail goes to the address with a single-use link to the
 *   password-reset page (`invitation.path`, by default `passwordReset.path`), valid
 *   `invitation.tokenTtlSeconds` (default 7 days). It is a password-reset token (same purpose,
 *   same store, its own lifetime): `POST /password/reset/confirm` with it sets the password and
 *   marks the address verified, since the link reached it. A later reset request (by the user
 *   or an admin) replaces it, and any credential change ends it, as for any reset link.
 *
 * The mails are sent after the answer (a mail failure is logged and emitted as `mail.failed`;
 * the admin can then send a reset link). `admin.action` (`user.created`) in the new user's
 * trail names the admin.
 * @throws AuthError `FORBIDDEN`, `VALIDATION_FAILED` (fields; an unknown role),
 * `WEAK_PASSWORD`, `USERNAME_TAKEN`, `CONFLICT` (the email belongs to another user)
 */
export async function createUserAsAdmin(
  rt: AuthRuntime,
  actor: AdminActor,
  input: unknown,
  context: RequestContext,
): Promise<AdminUser> {
  // The app's own fields (an admin may set every one) apart from the strict schema.
  const { data, values } = parseWithUserFields(
    rt.config.user.fields,
    adminCreateSchema,
    input,
    'admin',
  );
  const admin = await actorWith(rt, actor, 'users:write');
  // Both checked by the schema; `undefined` only if the two ever disagreed.
  const email = normalizeEmail(data.email);
  const username = data.username === undefined ? undefined : normalizeUsername(data.username);
  if (email === undefined || (data.username !== undefined && username === undefined)) {
    throw new AuthError('VALIDATION_FAILED');
  }
  const roles = data.roles === undefined ? [] : [...new Set(data.roles)];
  assertKnownRoles(rt, roles);
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
  // Before the costly hash; the store's own uniqueness decides a race (below).
  if ((await rt.storage.users.getByEmail(email.emailNormalized)) !== undefined) throw emailTaken();
  if (username && (await rt.storage.users.getByUsername(username.usernameNormalized))) {
    throw new AuthError('USERNAME_TAKEN');
  }
  const passwordHash =
    password === undefined
      ? undefined
      : await hashPassword(password, { hasher: await rt.hasher() });
  const now = rt.now();
  const user: UserRecord = {
    id: randomToken({ bytes: TOKEN_ID_BYTES, random: rt.config.random }),
    email: email.email,
    emailNormalized: email.emailNormalized,
    ...(username ?? {}),
    ...(passwordHash === undefined ? {} : { passwordHash }),
    ...(data.firstName ? { firstName: data.firstName } : {}),
    ...(data.lastName ? { lastName: data.lastName } : {}),
    ...(data.emailVerified === true ? { emailVerifiedAt: now } : {}),
    ...(roles.length === 0 ? {} : { roles }),
    metadata: applyUserFields({}, values)?.metadata ?? {},
    disabled: false,
    credentialGeneration: FIRST_GENERATION,
    createdAt: now,
    updatedAt: now,
  };
  if ((await rt.storage.users.create(user)) === 'conflict') {
    // Taken since the lookups: say which.
    const raced = await rt.storage.users.getByEmail(email.emailNormalized);
    throw raced === undefined ? new AuthError('USERNAME_TAKEN') : emailTaken();
  }
  await audited(rt, admin, user.id, 'user.created', context, {
    roles,
    emailVerified: data.emailVerified === true,
    hasPassword: passwordHash !== undefined,
  });
  if (passwordHash === undefined) {
    await runInBackground(rt.config.logger, 'invitation', () => invite(rt, user, context));
  } else if (user.emailVerifiedAt === undefined) {
    await runInBackground(rt.config.logger, 'verification after admin create', () =>
      sendVerificationMail(rt, user, context),
    );
  }
  return toAdminUser(user, rt.config.user.fields);
}

/** Issues the invitation (a password-reset token with its own lifetime), then mails its link. */
async function invite(rt: AuthRuntime, user: UserRecord, context: RequestContext): Promise<void> {
  const { appName, appUrl, invitation } = rt.config;
  const token = await issueLinkToken(rt, {
    purpose: TOKEN_PURPOSES.passwordReset,
    userId: user.id,
    ttlSeconds: invitation.tokenTtlSeconds,
    // As a reset link's payload: the address it went to (following it verifies that address
    // while it is still the user's), and the generation (a credential change ends it).
    payload: {
      emailNormalized: user.emailNormalized,
      credentialGeneration: FIRST_GENERATION,
      invitation: true,
    },
  });
  await rt.sendMail(
    'invitation',
    user.email,
    {
      appName,
      firstName: user.firstName,
      link: buildLink(appUrl, invitation.path, token),
      expiresInMinutes: Math.round(invitation.tokenTtlSeconds / 60),
    },
    { userId: user.id, context },
  );
}
