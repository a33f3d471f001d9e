import { type AdminUser, toAdminUser } from '@portcullis/core';
import type { UserRecord } from '@portcullis/core/storage';

/**
 * A stored user as the CLI prints it: the admin API's `AdminUser` (`GET /admin/users`), so
 * scripts read one format from both. Never the hash, TOTP or metadata.
 */
export const toAdminView = (user: UserRecord): AdminUser => toAdminUser(user);

/** ISO 8601 of epoch ms. */
export const iso = (ms: number): string => new Date(ms).toISOString();

/** `email (id)`: how human output names a user. */
export const nameOf = (user: Pick<UserRecord, 'email' | 'id'>): string =>
  `${user.email} (${user.id})`;

/** `disabled`, `unverified` or `active`. */
export function statusOf(user: AdminUser): string {
  if (user.disabled) return 'disabled';
  return user.emailVerified ? 'active' : 'unverified';
}

/** The rows of a table as lines, each column padded to its widest cell. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** The lines of `users show` for one user (without sessions and locks). */
export function describeUser(user: AdminUser): string[] {
  return [
    `id:              ${user.id}`,
    `email:           ${user.email} (${user.emailVerified ? 'verified' : 'not verified'})`,
    ...(user.username === null ? [] : [`username:        ${user.username}`]),
    ...(user.firstName === null && user.lastName === null
      ? []
      : [
          `name:            ${[user.firstName, user.lastName].filter((n) => n !== null).join(' ')}`,
        ]),
    `status:          ${statusOf(user)}`,
    `roles:           ${user.roles.length === 0 ? '(none)' : user.roles.join(', ')}`,
    `password:        ${user.hasPassword ? 'set' : 'none (reset link or magic link only)'}`,
    `two-factor:      ${user.twoFactorEnabled ? 'on' : 'off'}`,
    `created:         ${user.createdAt}`,
    `last sign-in:    ${user.lastLoginAt ?? 'never'}`,
  ];
}
