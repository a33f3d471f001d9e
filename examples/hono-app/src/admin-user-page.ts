/**
 * `/admin/users/:id`: one user as the admin sees them (`auth.admin.users.get`: emails, roles,
 * status, second factor, locks, sessions, linked accounts, passkeys) with the forms of the
 * actions, and `/admin/users/:id/delete`, the confirmation before a deletion. The forms post
 * to `admin-actions.ts`, except "Sign in as this user", which posts to core's impersonation
 * route so that core swaps the cookies (docs/impersonation.md).
 */
import {
  type AdminUserDetail,
  type Auth,
  isAuthError,
  type LinkedAccount,
  type PasskeyView,
  type SessionInfo,
} from '@portcullis/core';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { html } from 'hono/html';
import type { AdminAction } from './admin-actions.js';
import {
  actorOf,
  adminForm,
  refusalBox,
  refusalStatus,
  renderAdmin,
  userPath,
  whenMs,
} from './admin-view.js';
import { apiForm, type Html, when } from './layout.js';
import { adminFieldFacts } from './profile-fields.js';
import { type PageEnv, viewerOf } from './viewer.js';

/** The guards of the admin pages: signed in first, then the `admin` role. */
export interface AdminGuards {
  readonly signedIn: MiddlewareHandler<PageEnv>;
  readonly admins: MiddlewareHandler<PageEnv>;
}

/** Mounts the user page and the deletion's confirmation page. */
export function userPages(app: Hono<PageEnv>, auth: Auth, guards: AdminGuards): void {
  app.get('/admin/users/:id', guards.signedIn, guards.admins, async (c) => {
    const detail = await detailOf(c, auth);
    if (detail instanceof Response) return detail;
    const self = detail.user.id === viewerOf(c).user.id;
    const roles = Object.keys(auth.options.roles).sort();
    // Core refuses the others (yourself, a disabled user, an admin) anyway; the page offers no
    // button it knows would fail.
    const impersonable =
      !self && !detail.user.disabled && !auth.hasPermission(detail.user, 'users:impersonate');
    return renderAdmin(
      c,
      detail.user.email,
      html`<p><a href="/admin/users">All users</a></p>
        ${
          self
            ? html`<p><strong>This is you.</strong> You cannot disable or delete yourself, nor
                take away your own admin role.</p>`
            : ''
        }
        ${facts(detail)}
        <h2>Actions</h2>
        ${actions(detail, roles)}
        ${impersonable ? impersonateForm(detail.user.id) : ''}
        <h2>Sessions</h2>
        ${sessionsTable(detail)}
        <h2>Linked accounts</h2>
        ${accountsTable(detail.accounts)}
        <h2>Passkeys</h2>
        ${passkeysTable(detail.passkeys)}
        <p><a href="/admin/audit?userId=${encodeURIComponent(detail.user.id)}">Security events of this user</a></p>`,
    );
  });

  app.get('/admin/users/:id/delete', guards.signedIn, guards.admins, async (c) => {
    const detail = await detailOf(c, auth);
    if (detail instanceof Response) return detail;
    const { user } = detail;
    return renderAdmin(
      c,
      `Delete ${user.email}`,
      html`<p>This deletes the account of <strong>${user.email}</strong>: its sessions, linked
          accounts, passkeys, second factor and security history, at once. It cannot be undone.
          To keep the account but stop its sign-ins, disable it instead.</p>
        ${action(user.id, 'delete', {
          next: '/admin/users?notice=admin-user-deleted',
          submit: 'Delete this user for good',
          className: 'danger',
        })}
        <p><a href="${userPath(user.id)}">Cancel</a></p>`,
    );
  });
}

/** The user of the path, or the page that says why not (404 for a user that is gone). */
async function detailOf(c: Context<PageEnv>, auth: Auth): Promise<AdminUserDetail | Response> {
  try {
    return await auth.admin.users.get(actorOf(viewerOf(c)), c.req.param('id') ?? '');
  } catch (error) {
    if (!isAuthError(error)) throw error;
    const content =
      error.code === 'NOT_FOUND'
        ? html`<p data-testid="admin-error">There is no such user (deleted?).
            <a href="/admin/users">All users</a></p>`
        : refusalBox(error);
    return renderAdmin(c, 'User', content, refusalStatus(error));
  }
}

/** The form of one action on the user. */
function action(
  userId: string,
  path: AdminAction,
  options: { next: string; submit: string; className?: string },
  fields: Html | string = '',
): Html {
  return adminForm({ action: userPath(userId, `/${path}`), ...options }, fields);
}

function facts({ user, twoFactor, locks }: AdminUserDetail): Html {
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
  const lockList = [
    locks.signIn === null ? '' : `sign-in locked until ${when(locks.signIn)}`,
    locks.secondFactor === null ? '' : `second factor locked until ${when(locks.secondFactor)}`,
  ].filter(Boolean);
  return html`<dl data-testid="admin-user">
    <dt>Email</dt>
    <dd>${user.email} ${user.emailVerified ? '(confirmed)' : '(not confirmed)'}</dd>
    <dt>Username</dt>
    <dd>${user.username ?? '—'}</dd>
    <dt>Name</dt>
    <dd>${name || '—'}</dd>
    ${adminFieldFacts(user)}
    <dt>Roles</dt>
    <dd data-testid="admin-user-roles">${user.roles.length === 0 ? 'None' : user.roles.join(', ')}</dd>
    <dt>Status</dt>
    <dd data-testid="admin-user-status">${user.disabled ? 'Disabled: cannot sign in' : 'Enabled'}</dd>
    <dt>Password</dt>
    <dd>${user.hasPassword ? 'Set' : 'None (signs in by passkey, mailed link or a provider)'}</dd>
    <dt>Two-factor</dt>
    <dd data-testid="admin-user-two-factor">${
      twoFactor.enabled
        ? `On (${twoFactor.methods.join(', ')}; ${twoFactor.recoveryCodesLeft} recovery codes left)`
        : 'Off'
    }</dd>
    <dt>Locks</dt>
    <dd data-testid="admin-user-locks">${lockList.length === 0 ? 'None' : lockList.join('; ')}</dd>
    <dt>Member since</dt>
    <dd>${when(user.createdAt)}</dd>
    <dt>Last sign-in</dt>
    <dd>${user.lastLoginAt === null ? 'Never' : when(user.lastLoginAt)}</dd>
  </dl>`;
}

function actions({ user, twoFactor }: AdminUserDetail, roles: readonly string[]): Html {
  const here = userPath(user.id);
  const roleForms = roles.map((role) =>
    user.roles.includes(role)
      ? action(
          user.id,
          'roles/revoke',
          { next: `${here}?notice=admin-role-revoked`, submit: `Revoke the ${role} role` },
          html`<input type="hidden" name="role" value="${role}" />`,
        )
      : action(
          user.id,
          'roles/grant',
          { next: `${here}?notice=admin-role-granted`, submit: `Grant the ${role} role` },
          html`<input type="hidden" name="role" value="${role}" />`,
        ),
  );
  return html`<div class="admin-actions">
    ${
      user.disabled
        ? action(user.id, 'enable', { next: `${here}?notice=admin-user-enabled`, submit: 'Enable' })
        : action(user.id, 'disable', {
            next: `${here}?notice=admin-user-disabled`,
            submit: 'Disable',
            className: 'danger',
          })
    }
    ${roleForms}
    ${action(user.id, 'unlock', { next: `${here}?notice=admin-user-unlocked`, submit: 'Unlock sign-in' })}
    ${
      twoFactor.enabled
        ? action(user.id, 'second-factor/reset', {
            next: `${here}?notice=admin-two-factor-reset`,
            submit: 'Reset the second factor',
            className: 'danger',
          })
        : ''
    }
    ${action(user.id, 'reset-link', {
      next: `${here}?notice=admin-reset-link-sent`,
      submit: 'Send a password reset link',
    })}
    <p><a href="${userPath(user.id, '/delete')}">Delete this user…</a></p>
  </div>`;
}

/**
 * "Sign in as this user": a POST of core's `/admin/users/:id/impersonate` by `/assets/app.js`
 * (with the CSRF header), which answers with the impersonation's session cookie and keeps the
 * admin's in the `_admin` cookie; then the user's profile. A refusal shows in the form.
 */
function impersonateForm(userId: string): Html {
  return html`<h2>Impersonation</h2>
    ${apiForm(
      {
        api: `POST /admin/users/${encodeURIComponent(userId)}/impersonate`,
        next: '/profile',
        submit: 'Sign in as this user',
        className: 'admin-action',
      },
      html`<p>See the app as this user does, in this browser, for one hour at most. Their
        password, email, second factor, passkeys and other sessions stay out of reach, and so
        does the admin area; a banner on every page ends it. Both audit trails record it.</p>`,
    )}`;
}

function sessionsTable({ user, sessions }: AdminUserDetail): Html {
  if (sessions.length === 0)
    return html`<p data-testid="admin-no-sessions">Not signed in anywhere.</p>`;
  const here = userPath(user.id);
  const row = (s: SessionInfo) => html`<tr data-session="${s.id}">
    <td>${s.userAgent ?? 'Unknown browser'}${s.ip === null ? '' : html`<br /><small>${s.ip}</small>`}${
      s.impersonatedBy === null
        ? ''
        : html`<br /><small data-role="impersonation">Impersonation by an admin</small>`
    }</td>
    <td>${when(s.createdAt)}</td>
    <td>${when(s.lastSeenAt)}</td>
    <td>${
      s.current
        ? html`<strong>Your session</strong>`
        : action(
            user.id,
            'sessions/revoke',
            {
              next: `${here}?notice=admin-session-revoked`,
              submit: 'Sign out',
              className: 'inline',
            },
            html`<input type="hidden" name="sessionId" value="${s.id}" />`,
          )
    }</td>
  </tr>`;
  return html`<table data-testid="admin-sessions">
      <thead>
        <tr><th>Device</th><th>Signed in</th><th>Last seen</th><th></th></tr>
      </thead>
      <tbody>
        ${sessions.map(row)}
      </tbody>
    </table>
    ${action(user.id, 'sessions/revoke', {
      next: `${here}?notice=admin-sessions-revoked`,
      submit: 'Sign out every session',
      className: 'danger',
    })}`;
}

function accountsTable(accounts: readonly LinkedAccount[]): Html {
  if (accounts.length === 0) return html`<p>None.</p>`;
  const row = (a: LinkedAccount) => html`<tr>
    <td>${a.provider}</td>
    <td>${a.email ?? '—'}</td>
    <td>${whenMs(a.createdAt)}</td>
    <td>${whenMs(a.lastUsedAt)}</td>
  </tr>`;
  return html`<table data-testid="admin-accounts">
    <thead>
      <tr><th>Provider</th><th>Email it gave</th><th>Linked</th><th>Last used</th></tr>
    </thead>
    <tbody>
      ${accounts.map(row)}
    </tbody>
  </table>`;
}

function passkeysTable(passkeys: readonly PasskeyView[]): Html {
  if (passkeys.length === 0) return html`<p>None.</p>`;
  const row = (p: PasskeyView) => html`<tr>
    <td>${p.name}</td>
    <td>${p.backedUp ? 'Synced' : p.deviceType === 'multiDevice' ? 'Not synced yet' : 'This device only'}</td>
    <td>${whenMs(p.createdAt)}</td>
    <td>${whenMs(p.lastUsedAt)}</td>
  </tr>`;
  return html`<table data-testid="admin-passkeys">
    <thead>
      <tr><th>Name</th><th>Kind</th><th>Added</th><th>Last used</th></tr>
    </thead>
    <tbody>
      ${passkeys.map(row)}
    </tbody>
  </table>`;
}
