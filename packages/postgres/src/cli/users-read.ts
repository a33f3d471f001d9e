import type { UserRecord } from '@portcullis/core/storage';
import { findUser, print, type UsersContext } from './context.js';
import { findLockRows, liveLocks, lockKeysOf } from './locks.js';
import type { UsersCommand } from './users-command.js';
import { describeUser, iso, statusOf, table, toAdminView } from './users-view.js';

/** Users read per statement while listing: pages of the store's keyset list. */
const PAGE = 500;

/**
 * `users list`: the users matching the filters, oldest first, at most `limit`; says whether
 * more match. Pages through `users.list` by `(createdAt, id)`, as the admin API does.
 */
export async function listUsers(
  ctx: UsersContext,
  command: Extract<UsersCommand, { kind: 'list' }>,
): Promise<void> {
  const found: UserRecord[] = [];
  let after: { createdAt: number; id: string } | undefined;
  // One more than asked: whether more match.
  while (found.length <= command.limit) {
    const limit = Math.min(PAGE, command.limit + 1 - found.length);
    const page = await ctx.storage.users.list({
      ...(command.query === undefined ? {} : { prefix: command.query }),
      ...(command.role === undefined ? {} : { role: command.role }),
      ...(command.disabled === undefined ? {} : { disabled: command.disabled }),
      ...(after === undefined ? {} : { after }),
      limit,
    });
    found.push(...page);
    const last = page.at(-1);
    if (page.length < limit || last === undefined) break;
    after = { createdAt: last.createdAt, id: last.id };
  }
  const more = found.length > command.limit;
  const users = found.slice(0, command.limit).map(toAdminView);
  const count = `${users.length} user${users.length === 1 ? '' : 's'}`;
  print(ctx, { users, more }, [
    ...(users.length === 0
      ? []
      : table([
          ['ID', 'EMAIL', 'ROLES', 'STATUS', 'CREATED'],
          ...users.map((u) => [
            u.id,
            u.email,
            u.roles.length === 0 ? '-' : u.roles.join(','),
            statusOf(u),
            u.createdAt,
          ]),
        ])),
    users.length === 0
      ? 'No users match.'
      : more
        ? `${count} shown; more match (raise --limit, or narrow with --query, --role, --disabled).`
        : `${count}.`,
  ]);
}

/**
 * `users show`: the user, their live sessions, linked accounts, passkeys, second factor and
 * locks (a lock is read from the rate-limit rows whatever the app's rules).
 */
export async function showUser(
  ctx: UsersContext,
  command: Extract<UsersCommand, { kind: 'show' }>,
): Promise<void> {
  const record = await findUser(ctx.storage, command.user);
  const now = ctx.now();
  const [sessions, accounts, passkeys, codes, lockRows] = await Promise.all([
    ctx.storage.sessions.listByUser(record.id, now),
    ctx.storage.accounts.listByUser(record.id),
    ctx.storage.passkeys.listByUser(record.id),
    ctx.storage.twoFactor.listRecoveryCodes(record.id),
    findLockRows(ctx.client, ctx.tables.rateLimits, lockKeysOf(record)),
  ]);
  const user = toAdminView(record);
  // A session of an older credential generation is dead to core (a password changed since).
  const live = sessions
    .filter((s) => s.credentialGeneration === record.credentialGeneration)
    .map((s) => ({
      id: s.id,
      createdAt: iso(s.createdAt),
      lastSeenAt: iso(s.lastSeenAt),
      expiresAt: iso(Math.min(s.idleExpiresAt, s.absoluteExpiresAt)),
      ip: s.ip ?? null,
      userAgent: s.userAgent ?? null,
    }));
  const locks = liveLocks(lockRows, now);
  const document = {
    user,
    sessions: live,
    accounts: accounts.map((a) => ({
      provider: a.provider,
      email: a.email ?? null,
      createdAt: iso(a.createdAt),
      lastUsedAt: iso(a.lastUsedAt),
    })),
    passkeys: passkeys.map((p) => ({
      name: p.name,
      createdAt: iso(p.createdAt),
      lastUsedAt: p.lastUsedAt === undefined ? null : iso(p.lastUsedAt),
    })),
    twoFactor: {
      enabled: record.totp !== undefined,
      recoveryCodesLeft:
        record.totp === undefined ? 0 : codes.filter((c) => c.usedAt === undefined).length,
    },
    locks: {
      signIn: locks.signIn === null ? null : iso(locks.signIn),
      secondFactor: locks.secondFactor === null ? null : iso(locks.secondFactor),
    },
  };
  print(ctx, document, [
    ...describeUser(user),
    ...(document.twoFactor.enabled
      ? [`recovery codes:  ${document.twoFactor.recoveryCodesLeft} left`]
      : []),
    `sign-in lock:    ${document.locks.signIn ?? 'none'}`,
    `2FA lock:        ${document.locks.secondFactor ?? 'none'}`,
    `linked accounts: ${accounts.length === 0 ? 'none' : document.accounts.map((a) => a.provider).join(', ')}`,
    `passkeys:        ${passkeys.length === 0 ? 'none' : document.passkeys.map((p) => p.name).join(', ')}`,
    `sessions:        ${live.length === 0 ? 'none' : live.length}`,
    ...table(
      live.map((s) => [`  ${s.id}`, s.lastSeenAt, s.ip ?? '-', (s.userAgent ?? '-').slice(0, 60)]),
    ),
  ]);
}
