import * as v from 'valibot';
import { passwordCheckKey, unlockAccount } from '../abuse/login-throttle.js';
import { lockedUntil } from '../abuse/rate-limit.js';
import { eraseUser } from '../account/delete.js';
import { requestPasswordReset } from '../account/password-reset.js';
import { updateProfileSchema } from '../account/profile.js';
import { changeCredentials } from '../credentials/change.js';
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../crypto/encoding.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { runInBackground } from '../flows/background.js';
import { nameField, parseInput, text } from '../flows/input.js';
import { buildPageLink } from '../mail/link.js';
import type { AuthRuntime } from '../runtime/context.js';
import { toSessionInfo } from '../sessions/info.js';
import { revokeAllSessions } from '../sessions/manage.js';
import type { SessionInfo } from '../sessions/types.js';
import { type LinkedAccount, toLinkedAccount } from '../sign-in/oauth.js';
import { type PasskeyView, toPasskeyView } from '../sign-in/passkeys.js';
import { TOKEN_PURPOSES } from '../storage/purposes.js';
import type { JsonObject } from '../storage/types/json.js';
import type { UserPatch, UserRecord } from '../storage/types/users.js';
import { secondFactorSucceeded } from '../two-factor/failure.js';
import { stateError } from '../two-factor/input.js';
import { availableMethods, recoveryCodesLeft } from '../two-factor/methods.js';
import type { SecondFactorMethod } from '../two-factor/types.js';
import { applyUserFields, parseWithUserFields, type ResolvedUserField } from '../users/fields.js';
import { MAX_EMAIL_LENGTH, normalizeEmail, normalizeUsername } from '../users/normalize.js';
import { ADMIN_ROLE, type AdminPermission, hasPermission } from '../users/permissions.js';
import { isoTime, type PublicUser, toPublicUser } from '../users/public.js';
import { changeEmailAsAdmin } from './email.js';

/** Who calls an admin operation: the signed-in user (and their session, over HTTP). */
export interface AdminActor {
  /** The admin's user id. */
  readonly userId: string;
  /** Their session, when the call comes from one. */
  readonly sessionId?: string | undefined;
}

/** A user as the admin list shows it: the public user, and what only admins see. */
export interface AdminUser extends PublicUser {
  /** A disabled user cannot sign in. */
  readonly disabled: boolean;
  /** Whether the user has a password (or only passwordless ways in). */
  readonly hasPassword: boolean;
  /** When they last signed in (ISO 8601), or `null`. */
  readonly lastLoginAt: string | null;
}

/** `GET /admin/users/:id`: the user and everything an admin acts on. */
export interface AdminUserDetail {
  readonly user: AdminUser;
  /** Live sessions, newest first. */
  readonly sessions: readonly SessionInfo[];
  /** Linked provider accounts. */
  readonly accounts: readonly LinkedAccount[];
  /** Passkeys. */
  readonly passkeys: readonly PasskeyView[];
  /** The second factor: on or off, what a challenge offers, recovery codes left. */
  readonly twoFactor: {
    readonly enabled: boolean;
    readonly methods: readonly SecondFactorMethod[];
    readonly recoveryCodesLeft: number;
  };
  /** Locks set by wrong passwords or codes: when each lifts (ISO 8601), or `null`. */
  readonly locks: { readonly signIn: string | null; readonly secondFactor: string | null };
}

/** The admin view of a stored user. */
export function toAdminUser(
  user: UserRecord,
  fields: readonly ResolvedUserField[] = [],
): AdminUser {
  return {
    ...toPublicUser(user, fields),
    disabled: user.disabled,
    hasPassword: user.passwordHash !== undefined,
    lastLoginAt: user.lastLoginAt === undefined ? null : isoTime(user.lastLoginAt),
  };
}

/**
 * The admin calling, as stored, once they hold `permission`: a live, enabled user (and, with
 * `sessionId`, a live session of theirs).
 * @throws AuthError `UNAUTHENTICATED` (no such user or session), `FORBIDDEN` (no permission)
 */
export async function actorWith(
  rt: AuthRuntime,
  actor: AdminActor,
  permission: AdminPermission,
): Promise<UserRecord> {
  const admin = await rt.storage.users.getById(actor.userId);
  if (admin === undefined || admin.disabled) throw new AuthError('UNAUTHENTICATED');
  if (actor.sessionId !== undefined) {
    const session = await rt.storage.sessions.get(actor.sessionId, rt.now());
    if (session?.userId !== admin.id) throw new AuthError('UNAUTHENTICATED');
    if (session.impersonatedBy !== undefined) throw new AuthError('FORBIDDEN'); // no /admin
  }
  if (!hasPermission(admin, permission, rt.config.roles)) throw new AuthError('FORBIDDEN');
  return admin;
}

/** The target user. @throws AuthError `NOT_FOUND` */
export async function targetOf(rt: AuthRuntime, userId: unknown): Promise<UserRecord> {
  const user = typeof userId === 'string' ? await rt.storage.users.getById(userId) : undefined;
  if (user === undefined) throw new AuthError('NOT_FOUND');
  return user;
}

/** `admin.action` in the target user's audit trail, naming the admin. */
export async function audited(
  rt: AuthRuntime,
  admin: UserRecord,
  target: string,
  action: string,
  context: RequestContext,
  data: JsonObject = {},
): Promise<void> {
  await rt.emit(
    { type: 'admin.action', userId: target, data: { action, adminId: admin.id, ...data } },
    context,
  );
}

/** The largest page. */
export const ADMIN_PAGE_MAX = 100;

/** Input of {@link listUsers} (and the query of `GET /admin/users`). */
export const listUsersSchema = v.object({
  /** A prefix of the email, the username, or a name (case-insensitive). */
  query: v.optional(v.union([v.literal(''), text('query', 254)], 'query must be a string')),
  cursor: v.optional(text('cursor', 512)),
  limit: v.optional(
    v.pipe(
      v.number('limit must be a number'),
      v.integer('limit must be a whole number'),
      v.minValue(1, 'limit must be at least 1'),
      v.maxValue(ADMIN_PAGE_MAX, `limit must be at most ${ADMIN_PAGE_MAX}`),
    ),
  ),
  role: v.optional(text('role', 64)),
  disabled: v.optional(v.boolean('disabled must be true or false')),
});

/** The cursor after `user`: opaque to clients (base64url of its position). */
function cursorAfter(user: UserRecord): string {
  return toBase64Url(utf8(JSON.stringify([user.createdAt, user.id])));
}

/** The position a cursor names. @throws AuthError `VALIDATION_FAILED` for anything else */
function positionOf(cursor: string): { createdAt: number; id: string } {
  const bytes = fromBase64Url(cursor);
  let value: unknown;
  try {
    value = bytes === undefined ? undefined : JSON.parse(fromUtf8(bytes));
  } catch {
    value = undefined;
  }
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    Number.isSafeInteger(value[0]) &&
    typeof value[1] === 'string' &&
    /^[A-Za-z0-9_-]{1,128}$/.test(value[1])
  ) {
    return { createdAt: value[0] as number, id: value[1] };
  }
  throw new AuthError('VALIDATION_FAILED', {
    details: [{ path: 'cursor', message: 'cursor is not one this server gave' }],
  });
}

/**
 * A page of users, oldest first (`users:read`): filtered by a prefix of the email, username or
 * a name, by role and by disabled; `limit` 1 to 100 (default 50). `nextCursor` gives the next
 * page, `null` after the last; pages never repeat or skip a user while others are created.
 * @throws AuthError `FORBIDDEN`, `VALIDATION_FAILED`, `UNAUTHENTICATED`
 */
export async function listUsers(
  rt: AuthRuntime,
  actor: AdminActor,
  input: {
    query?: unknown;
    cursor?: unknown;
    limit?: unknown;
    role?: unknown;
    disabled?: unknown;
  },
): Promise<{ users: AdminUser[]; nextCursor: string | null }> {
  const { query, cursor, limit, role, disabled } = parseInput(listUsersSchema, input);
  await actorWith(rt, actor, 'users:read');
  const size = limit ?? 50;
  const prefix = query?.trim().toLowerCase();
  const rows = await rt.storage.users.list({
    ...(prefix === undefined || prefix === '' ? {} : { prefix }),
    ...(role === undefined ? {} : { role }),
    ...(disabled === undefined ? {} : { disabled }),
    ...(cursor === undefined ? {} : { after: positionOf(cursor) }),
    limit: size + 1,
  });
  const page = rows.slice(0, size);
  const last = page.at(-1);
  return {
    users: page.map((u) => toAdminUser(u, rt.config.user.fields)),
    nextCursor: rows.length > size && last !== undefined ? cursorAfter(last) : null,
  };
}

/**
 * A user with everything an admin acts on (`users:read`): sessions, linked accounts, passkeys,
 * the second factor and the locks. @throws AuthError `FORBIDDEN`, `NOT_FOUND`
 */
export async function getUserDetail(
  rt: AuthRuntime,
  actor: AdminActor,
  userId: string,
): Promise<AdminUserDetail> {
  await actorWith(rt, actor, 'users:read');
  const user = await targetOf(rt, userId);
  const now = rt.now();
  const [sessions, accounts, passkeys, methods, codesLeft, signIn, secondFactor] =
    await Promise.all([
      rt.storage.sessions.listByUser(user.id, now),
      rt.storage.accounts.listByUser(user.id),
      rt.storage.passkeys.listByUser(user.id),
      availableMethods(rt, user),
      recoveryCodesLeft(rt, user.id),
      lockedUntil(rt, 'loginPerAccount', passwordCheckKey(user)),
      lockedUntil(rt, 'secondFactorPerAccount', user.id),
    ]);
  const iso = (ms: number | undefined) => (ms === undefined ? null : isoTime(ms));
  return {
    user: toAdminUser(user, rt.config.user.fields),
    sessions: sessions
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((s) => toSessionInfo(s, actor.userId === user.id ? actor.sessionId : undefined)),
    accounts: accounts.map(toLinkedAccount),
    passkeys: passkeys.map(toPasskeyView),
    twoFactor: {
      enabled: user.totp !== undefined,
      methods,
      recoveryCodesLeft: user.totp === undefined ? 0 : codesLeft,
    },
    locks: { signIn: iso(signIn), secondFactor: iso(secondFactor) },
  };
}

/** The roles an admin gives a user (each checked against the configuration by the flow). */
export const rolesField = v.optional(
  v.pipe(v.array(text('roles[]', 64), 'roles must be a list'), v.maxLength(32, 'too many roles')),
);

/**
 * An email address an admin types: checked here (`normalizeEmail` must accept it), normalized
 * by the flow. A check, not a transform: the OpenAPI document is made from these schemas.
 */
export const adminEmailField = v.pipe(
  text('email', MAX_EMAIL_LENGTH),
  v.check((s) => normalizeEmail(s) !== undefined, 'email must be an email address'),
);

/** Refuses a role the configuration does not name. @throws AuthError `VALIDATION_FAILED` */
export function assertKnownRoles(rt: AuthRuntime, roles: readonly string[]): void {
  const unknown = roles.filter((r) => !Object.hasOwn(rt.config.roles, r));
  if (unknown.length > 0) throw stateError('roles', `unknown role: ${unknown[0]}`);
}

/** What an admin may change of a user (`PATCH /admin/users/:id`). */
export const adminUpdateSchema = v.strictObject({
  firstName: v.optional(v.nullable(nameField('firstName').wrapped)),
  lastName: v.optional(v.nullable(nameField('lastName').wrapped)),
  username: updateProfileSchema.entries.username,
  email: v.optional(adminEmailField),
  roles: rolesField,
  disabled: v.optional(v.boolean('disabled must be true or false')),
  emailVerified: v.optional(v.boolean('emailVerified must be true or false')),
});

/** A change an admin asks for: an absent key keeps the value, `null` clears a name. */
export interface AdminUserPatch {
  firstName?: string | null | undefined;
  lastName?: string | null | undefined;
  /** A new username (3 to 32 letters, digits, `.`, `_`, `-`), or `null` to remove it. */
  username?: string | null | undefined;
  /** The roles (each named in the configuration); replaces them. */
  roles?: readonly string[] | undefined;
  /**
   * A new address (normalized: trimmed, NFKC, compared lower-cased). With `emailVerified: true`
   * it is set verified; without, it is stored unverified and a verification link is mailed to
   * it. Either way the old address gets an `email-changed` notice and the user's sessions end.
   */
  email?: string | undefined;
  /** `true` disables the user and ends their sessions. */
  disabled?: boolean | undefined;
  /** Marks the address verified (`true`) or not; with `email`, see there. */
  emailVerified?: boolean | undefined;
}

/**
 * Changes a user (`users:write`): names, username, email, roles (each one the configuration
 * names), disabled, email verified. Disabling ends every session of the user at once. An admin
 * cannot disable themselves nor take away their own `admin` role. Each change is an
 * `admin.action` event (`user.updated`, with the names of the fields) in the user's audit
 * trail naming the admin.
 *
 * A new `email` is a credential change, as the user's own confirmed change is
 * (`account/email-change.ts`): the address is where reset, magic and verification links go,
 * so it is written with a new credential generation (`changeEmailAsAdmin`). Every session of
 * the user ends (the admin's own session stays when they change their own address), with
 * their trusted devices and every link mailed to the old address. With `emailVerified: true`
 * the address is set verified; without it, it is stored unverified and a verification link
 * goes to it (with `emailVerification.required`, the user signs in again once they follow it).
 * The old address is told (`email-changed`). An address that only differs in case or width
 * from the current one is no change: only its spelling is stored.
 * @throws AuthError `FORBIDDEN`, `NOT_FOUND`, `VALIDATION_FAILED`, `USERNAME_TAKEN`,
 * `CONFLICT` (the email belongs to another user)
 */
export async function updateUserAsAdmin(
  rt: AuthRuntime,
  actor: AdminActor,
  userId: string,
  input: unknown,
  context: RequestContext,
): Promise<AdminUser> {
  // The app's own fields (every one: an admin sets them all) apart from the strict schema.
  const { data: patch, values } = parseWithUserFields(
    rt.config.user.fields,
    adminUpdateSchema,
    input,
    'admin',
  );
  const admin = await actorWith(rt, actor, 'users:write');
  const user = await targetOf(rt, userId);
  const fieldChange = applyUserFields(user.metadata, values);
  const self = admin.id === user.id;
  if (self && patch.disabled === true) throw stateError('disabled', 'You cannot disable yourself');
  if (patch.roles !== undefined) {
    assertKnownRoles(rt, patch.roles);
    if (self && user.roles?.includes(ADMIN_ROLE) && !patch.roles.includes(ADMIN_ROLE)) {
      throw stateError('roles', 'You cannot take away your own admin role');
    }
  }
  const now = rt.now();
  const username =
    patch.username === undefined || patch.username === null
      ? patch.username
      : (normalizeUsername(patch.username) ?? null);
  const email = patch.email === undefined ? undefined : normalizeEmail(patch.email);
  const change: Omit<UserPatch, 'updatedAt'> = {
    ...(patch.firstName === undefined ? {} : { firstName: patch.firstName }),
    ...(patch.lastName === undefined ? {} : { lastName: patch.lastName }),
    ...(username === undefined
      ? {}
      : username === null
        ? { username: null, usernameNormalized: null }
        : { username: username.username, usernameNormalized: username.usernameNormalized }),
    // The same address spelled differently (`Ada@…` for `ada@…`): only the spelling changes.
    ...(email === undefined ? {} : { email: email.email }),
    ...(patch.roles === undefined ? {} : { roles: [...new Set(patch.roles)] }),
    ...(patch.disabled === undefined ? {} : { disabled: patch.disabled }),
    ...(patch.emailVerified === undefined
      ? {}
      : { emailVerifiedAt: patch.emailVerified ? (user.emailVerifiedAt ?? now) : null }),
    // Only the changed keys: a field the user set meanwhile stands.
    ...(fieldChange === undefined ? {} : { metadataKeys: fieldChange.keys }),
  };
  if (email !== undefined && email.emailNormalized !== user.emailNormalized) {
    await changeEmailAsAdmin(rt, {
      user,
      email,
      verified: patch.emailVerified === true,
      patch: change,
      keepSessionId: self ? actor.sessionId : undefined,
      context,
    });
  } else {
    const result = await rt.storage.users.update(user.id, { ...change, updatedAt: now });
    if (result === 'not_found') throw new AuthError('NOT_FOUND');
    if (result === 'conflict') throw new AuthError('USERNAME_TAKEN');
    if (patch.disabled === true && !user.disabled) {
      await revokeAllSessions(rt, { userId: user.id, context, reason: 'disabled' });
    }
  }
  await audited(rt, admin, user.id, 'user.updated', context, {
    fields: [...Object.keys(patch), ...(fieldChange?.changed ?? [])].sort(),
    ...(patch.roles === undefined ? {} : { roles: [...new Set(patch.roles)] }),
    // The flags' new values (an audit must tell a disable from an enable); never a field's
    // value or an address.
    ...(patch.disabled === undefined ? {} : { disabled: patch.disabled }),
    ...(patch.emailVerified === undefined ? {} : { emailVerified: patch.emailVerified }),
  });
  return toAdminUser((await rt.storage.users.getById(user.id)) ?? user, rt.config.user.fields);
}

/**
 * Deletes a user and everything tied to them (`users:write`), as account deletion does; not
 * oneself. @throws AuthError `FORBIDDEN`, `NOT_FOUND`, `VALIDATION_FAILED` (oneself)
 */
export async function deleteUserAsAdmin(
  rt: AuthRuntime,
  actor: AdminActor,
  userId: string,
  context: RequestContext,
): Promise<void> {
  const admin = await actorWith(rt, actor, 'users:write');
  const user = await targetOf(rt, userId);
  if (admin.id === user.id) throw stateError('id', 'You cannot delete yourself');
  await eraseUser(rt, user.id);
  // In the admin's trail: the user's own trail went with them.
  await rt.emit(
    {
      type: 'admin.action',
      userId: admin.id,
      data: { action: 'user.deleted', adminId: admin.id, targetId: user.id },
    },
    context,
  );
  await rt.emit({ type: 'user.deleted', userId: user.id, audit: false }, context);
}

/** Input of {@link revokeUserSessions} besides the user. */
export const revokeSessionsSchema = v.object({ sessionId: v.optional(text('sessionId', 256)) });

/**
 * Ends one session of a user, or all of them (`sessions:revoke`).
 * @throws AuthError `FORBIDDEN`, `NOT_FOUND` (no such user, or not their live session)
 */
export async function revokeUserSessions(
  rt: AuthRuntime,
  actor: AdminActor,
  input: { userId: string; sessionId?: string | undefined },
  context: RequestContext,
): Promise<void> {
  const { sessionId } = parseInput(revokeSessionsSchema, { sessionId: input.sessionId });
  const admin = await actorWith(rt, actor, 'sessions:revoke');
  const user = await targetOf(rt, input.userId);
  if (sessionId === undefined) {
    await revokeAllSessions(rt, { userId: user.id, context, reason: 'admin' });
  } else {
    const session = await rt.storage.sessions.get(sessionId, rt.now());
    if (session?.userId !== user.id) throw new AuthError('NOT_FOUND');
    await rt.storage.sessions.delete(session.id);
  }
  await audited(rt, admin, user.id, 'sessions.revoked', context, {
    ...(sessionId === undefined ? { all: true } : { sessionId }),
  });
}

/**
 * Lifts a user's sign-in and second-factor locks (`users:write`): someone else's wrong guesses
 * no longer keep them out. @throws AuthError `FORBIDDEN`, `NOT_FOUND`
 */
export async function unlockUser(
  rt: AuthRuntime,
  actor: AdminActor,
  userId: string,
  context: RequestContext,
): Promise<void> {
  const admin = await actorWith(rt, actor, 'users:write');
  const user = await targetOf(rt, userId);
  await unlockAccount(rt, user, context);
  await secondFactorSucceeded(rt, user.id);
  await audited(rt, admin, user.id, 'user.unlocked', context);
}

/**
 * Turns a user's second factor off (`users:write`): TOTP, recovery codes, trusted devices and
 * pending enrollments go, in one credential change that ends every session of the user; they
 * must enroll again. The user is mailed a notice (`two-factor-reset`).
 * @throws AuthError `FORBIDDEN`, `NOT_FOUND`, `VALIDATION_FAILED` (2FA is off)
 */
export async function resetSecondFactor(
  rt: AuthRuntime,
  actor: AdminActor,
  userId: string,
  context: RequestContext,
): Promise<void> {
  const admin = await actorWith(rt, actor, 'users:write');
  const user = await targetOf(rt, userId);
  if (user.totp === undefined) {
    throw stateError('id', 'Two-factor authentication is off for this user');
  }
  await changeCredentials(rt, {
    userId: user.id,
    patch: { totp: null },
    reason: 'two_factor_disabled',
    before: async (storage) => {
      await storage.twoFactor.deleteByUser(user.id);
      await storage.tokens.deleteByUser(user.id, { purpose: TOKEN_PURPOSES.totpEnroll });
    },
    failWith: 'NOT_FOUND',
    context,
  });
  await audited(rt, admin, user.id, 'two_factor.reset', context);
  await runInBackground(rt.config.logger, 'two-factor reset notice', () =>
    rt.sendMail(
      'two-factor-reset',
      user.email,
      {
        appName: rt.config.appName,
        firstName: user.firstName,
        at: new Date(rt.now()),
        ip: context.ip,
        userAgent: context.userAgent,
        link: buildPageLink(rt.config.appUrl, rt.config.passwordReset.path),
      },
      { userId: user.id, context },
    ),
  );
}

/**
 * Mails the user a password reset link (`users:write`), as `POST /password/reset` would (its
 * per-address limit applies; a disabled user gets none).
 * @throws AuthError `FORBIDDEN`, `NOT_FOUND`, `RATE_LIMITED`
 */
export async function sendResetLink(
  rt: AuthRuntime,
  actor: AdminActor,
  userId: string,
  context: RequestContext,
): Promise<void> {
  const admin = await actorWith(rt, actor, 'users:write');
  const user = await targetOf(rt, userId);
  await requestPasswordReset(rt, { email: user.email }, context);
  await audited(rt, admin, user.id, 'password.reset_sent', context);
}
