import { randomBytes } from 'node:crypto';
import { ADMIN_ROLE } from '@portcullis/core';
import { FIRST_GENERATION, type UserRecord } from '@portcullis/core/storage';
import { auditAction, auditSessionsEnded, findUser, print, type UsersContext } from './context.js';
import { refused, usage } from './errors.js';
import { hashNewPassword } from './password.js';
import { MAX_ROLES, type UsersCommand } from './users-command.js';
import { nameOf, toAdminView } from './users-view.js';

/**
 * `users create`: a new user with the roles given, verified or not, with the password read
 * from stdin or none (they then sign in by reset link or magic link). The user and its
 * `admin.action` (`user.created`) are written in one transaction.
 * @throws CliError exit 2 for a password the policy refuses, exit 1 when the email is taken
 */
export async function createUser(
  ctx: UsersContext,
  command: Extract<UsersCommand, { kind: 'create' }>,
  password: string | undefined,
): Promise<void> {
  const { email } = command;
  const taken = await ctx.storage.users.getByEmail(email.emailNormalized);
  if (taken !== undefined) throw refused(`A user with email ${email.email} exists: ${taken.id}.`);
  const passwordHash =
    password === undefined
      ? undefined
      : await hashNewPassword(ctx.storage, password, { email: email.email });
  const now = ctx.now();
  const user: UserRecord = {
    // Core's ids: 128 random bits, base64url.
    id: randomBytes(16).toString('base64url'),
    email: email.email,
    emailNormalized: email.emailNormalized,
    ...(command.verified ? { emailVerifiedAt: now } : {}),
    ...(passwordHash === undefined ? {} : { passwordHash }),
    metadata: {},
    disabled: false,
    ...(command.roles.length === 0 ? {} : { roles: command.roles }),
    credentialGeneration: FIRST_GENERATION,
    createdAt: now,
    updatedAt: now,
  };
  await ctx.storage.transaction(async (tx) => {
    // Taken meanwhile (the lookup above only spares the hash): nothing is written.
    if ((await tx.users.create(user)) === 'conflict') {
      throw refused(`A user with email ${email.email} exists.`);
    }
    await auditAction(tx.audit, {
      userId: user.id,
      at: now,
      action: 'user.created',
      data: {
        roles: [...command.roles],
        emailVerified: command.verified,
        hasPassword: passwordHash !== undefined,
      },
    });
  });
  print(ctx, { user: toAdminView(user) }, [
    `Created ${nameOf(user)}.`,
    `Roles: ${command.roles.length === 0 ? 'none' : command.roles.join(', ')}. Email ${
      command.verified ? 'verified' : 'not verified'
    }. ${
      passwordHash === undefined
        ? 'No password: they sign in with a password reset link or a magic link.'
        : 'Password set.'
    }`,
  ]);
}

/** Why a transaction ended without a change: rolled back, and said so. */
class Unchanged extends Error {
  constructor(readonly user: UserRecord) {
    super('unchanged');
  }
}

/**
 * `users grant-role` / `users revoke-role`. The role is any name core's configuration accepts:
 * the CLI cannot see the app's `roles`, and a role the app does not configure grants nothing.
 * The read and the write of the roles run under the row's lock (an update of `updatedAt`
 * first), so concurrent grants never lose one another's role.
 * @throws CliError exit 1 for no such user, exit 2 past 32 roles
 */
export async function changeRole(
  ctx: UsersContext,
  command: Extract<UsersCommand, { kind: 'grant-role' | 'revoke-role' }>,
): Promise<void> {
  const found = await findUser(ctx.storage, command.user);
  const grant = command.kind === 'grant-role';
  const { role } = command;
  let user: UserRecord;
  try {
    user = await ctx.storage.transaction(async (tx) => {
      const now = ctx.now();
      if ((await tx.users.update(found.id, { updatedAt: now })) === 'not_found') {
        throw refused(`No user with id ${found.id}.`);
      }
      const locked = (await tx.users.getById(found.id)) ?? found;
      const roles = locked.roles ?? [];
      if (roles.includes(role) === grant) throw new Unchanged(locked);
      const next = grant ? [...roles, role] : roles.filter((r) => r !== role);
      if (next.length > MAX_ROLES) throw usage(`A user holds at most ${MAX_ROLES} roles.`);
      await tx.users.update(locked.id, { roles: next, updatedAt: now });
      await auditAction(tx.audit, {
        userId: locked.id,
        at: now,
        action: 'user.updated',
        data: { fields: ['roles'], roles: next, [grant ? 'granted' : 'revoked']: role },
      });
      return { ...locked, roles: next, updatedAt: now };
    });
  } catch (error) {
    if (!(error instanceof Unchanged)) throw error;
    const view = toAdminView(error.user);
    print(ctx, { user: view, changed: false }, [
      `${nameOf(error.user)} ${grant ? 'already has' : 'does not have'} the role ${role}.`,
    ]);
    return;
  }
  print(ctx, { user: toAdminView(user), changed: true }, [
    `${grant ? 'Granted' : 'Revoked'} the role ${role} ${grant ? 'to' : 'from'} ${nameOf(user)}. Roles: ${
      (user.roles ?? []).length === 0 ? 'none' : (user.roles ?? []).join(', ')
    }.`,
  ]);
  if (!grant && role === ADMIN_ROLE) await warnWithoutAdmin(ctx);
}

/**
 * `users disable` / `users enable`. Disabling also ends every session of the user, in the same
 * transaction (a disabled user's sessions are refused anyway; ending them frees the rows and
 * says so in their trail: `session.revoked_all`, reason `disabled`, as core writes it).
 * @throws CliError exit 1 for no such user
 */
export async function setDisabled(
  ctx: UsersContext,
  command: Extract<UsersCommand, { kind: 'disable' | 'enable' }>,
): Promise<void> {
  const user = await findUser(ctx.storage, command.user);
  const disabled = command.kind === 'disable';
  const sessionsEnded = await ctx.storage.transaction(async (tx) => {
    const now = ctx.now();
    const live = disabled ? (await tx.sessions.listByUser(user.id, now)).length : 0;
    if (user.disabled !== disabled) {
      if ((await tx.users.update(user.id, { disabled, updatedAt: now })) === 'not_found') {
        throw refused(`No user with id ${user.id}.`);
      }
    }
    // In core's order: the sessions end, then the admin's action.
    if (disabled) {
      await tx.sessions.deleteByUser(user.id);
      if (live > 0 || !user.disabled) {
        await auditSessionsEnded(tx.audit, { userId: user.id, at: now, reason: 'disabled' });
      }
    }
    if (user.disabled !== disabled) {
      await auditAction(tx.audit, {
        userId: user.id,
        at: now,
        action: 'user.updated',
        data: { fields: ['disabled'], disabled },
      });
    }
    return live;
  });
  const changed = user.disabled !== disabled;
  print(
    ctx,
    {
      user: toAdminView({ ...user, disabled }),
      changed,
      ...(disabled ? { sessionsEnded } : {}),
    },
    [
      `${changed ? (disabled ? 'Disabled' : 'Enabled') : `Already ${command.kind}d:`} ${nameOf(user)}${
        disabled ? `; ended ${sessionsEnded} session${sessionsEnded === 1 ? '' : 's'}` : ''
      }.`,
    ],
  );
  if (disabled && changed && (user.roles ?? []).includes(ADMIN_ROLE)) await warnWithoutAdmin(ctx);
}

/** A warning on stderr when no enabled user holds `admin` any more. */
async function warnWithoutAdmin(ctx: UsersContext): Promise<void> {
  const admins = await ctx.storage.users.list({ role: ADMIN_ROLE, disabled: false, limit: 1 });
  if (admins.length === 0) {
    ctx.io.err(
      'Warning: no enabled user has the admin role now. Make one with: portcullis-postgres users grant-role <email> admin',
    );
  }
}
