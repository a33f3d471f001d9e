/**
 * The admin area, for users with the `admin` role (docs/admin.md): the user list with search,
 * filters and paging (here), a user's page with the actions (`admin-user-page.ts`), the
 * security events across users (`admin-audit-page.ts`), and the routes of the actions
 * (`admin-actions.ts`). Pages are rendered from the typed admin API (`auth.admin.*`) on the
 * server; anonymous visitors go to the sign-in page, signed-in users without the role get 403.
 */
import { type AdminUser, type Auth, isAuthError } from '@portcullis/core';
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { adminActions } from './admin-actions.js';
import { auditPage } from './admin-audit-page.js';
import { userPages } from './admin-user-page.js';
import {
  actorOf,
  adminOnly,
  refusalBox,
  refusalStatus,
  renderAdmin,
  userPath,
} from './admin-view.js';
import { type Html, when } from './layout.js';
import { type PageEnv, signedInOnly, viewerOf } from './viewer.js';

/** Users per page of the list. */
export const USERS_PER_PAGE = 20;

/** Mounts the admin area: its pages under `/admin` and the routes of its actions. */
export function adminPages(app: Hono<PageEnv>, auth: Auth): void {
  const signedIn = signedInOnly();
  const admins = adminOnly(auth);

  app.get('/admin', signedIn, admins, (c) => c.redirect('/admin/users', 303));

  app.get('/admin/users', signedIn, admins, async (c) => {
    const filters = {
      query: (c.req.query('query') ?? '').trim(),
      role: c.req.query('role') ?? '',
      disabled: c.req.query('disabled') ?? '',
    };
    const cursor = c.req.query('cursor') ?? '';
    const roles = Object.keys(auth.options.roles).sort();
    const form = filterForm(filters, roles);
    let page: { users: AdminUser[]; nextCursor: string | null };
    try {
      page = await auth.admin.users.list(actorOf(viewerOf(c)), {
        limit: USERS_PER_PAGE,
        ...(filters.query === '' ? {} : { query: filters.query }),
        ...(filters.role === '' ? {} : { role: filters.role }),
        ...(filters.disabled === 'true' || filters.disabled === 'false'
          ? { disabled: filters.disabled === 'true' }
          : {}),
        ...(cursor === '' ? {} : { cursor }),
      });
    } catch (error) {
      // A cursor this server did not give, a query too long: the message, not a 500.
      if (!isAuthError(error)) throw error;
      return renderAdmin(c, 'Users', html`${form}${refusalBox(error)}`, refusalStatus(error));
    }
    const params = (extra: Record<string, string>) =>
      new URLSearchParams(
        Object.entries({ ...filters, ...extra }).filter(([, value]) => value !== ''),
      ).toString();
    const paging = html`<p class="admin-paging">
      ${cursor === '' ? '' : html`<a href="/admin/users?${params({})}">First page</a>`}
      ${
        page.nextCursor === null
          ? ''
          : html`<a href="/admin/users?${params({ cursor: page.nextCursor })}" rel="next">Next page</a>`
      }
    </p>`;
    return renderAdmin(
      c,
      'Users',
      html`${form}
        ${
          page.users.length === 0
            ? html`<p data-testid="no-users">No user matches.</p>`
            : html`<table data-testid="admin-users">
                <thead>
                  <tr><th>Email</th><th>Name</th><th>Roles</th><th>Status</th><th>Last sign-in</th></tr>
                </thead>
                <tbody>
                  ${page.users.map(userRow)}
                </tbody>
              </table>`
        }
        ${paging}`,
    );
  });

  userPages(app, auth, { signedIn, admins });
  auditPage(app, auth, { signedIn, admins });
  adminActions(app, auth);
}

/** The search box and the filters: a GET form (searching changes nothing). */
function filterForm(
  filters: { query: string; role: string; disabled: string },
  roles: readonly string[],
): Html {
  const option = (value: string, label: string, current: string) =>
    html`<option value="${value}" ${value === current ? html`selected` : ''}>${label}</option>`;
  return html`<form method="get" action="/admin/users" role="search" class="admin-filters">
    <label for="admin-query">Search</label>
    <input
      id="admin-query"
      name="query"
      type="search"
      value="${filters.query}"
      maxlength="254"
      autocomplete="off"
    />
    <small>The start of an email address, a username, a first or last name.</small>
    <label for="admin-role">Role</label>
    <select id="admin-role" name="role">
      ${option('', 'Any role', filters.role)} ${roles.map((r) => option(r, r, filters.role))}
    </select>
    <label for="admin-disabled">Status</label>
    <select id="admin-disabled" name="disabled">
      ${option('', 'Enabled and disabled', filters.disabled)}
      ${option('false', 'Enabled only', filters.disabled)}
      ${option('true', 'Disabled only', filters.disabled)}
    </select>
    <button type="submit">Search</button>
  </form>`;
}

function userRow(user: AdminUser): Html {
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ');
  return html`<tr data-user="${user.email}">
    <td><a href="${userPath(user.id)}">${user.email}</a>${user.username === null ? '' : html`<br /><small>${user.username}</small>`}</td>
    <td>${name || '—'}</td>
    <td>${user.roles.length === 0 ? '—' : user.roles.join(', ')}</td>
    <td data-role="status">${user.disabled ? 'Disabled' : 'Enabled'}</td>
    <td>${user.lastLoginAt === null ? 'Never' : when(user.lastLoginAt)}</td>
  </tr>`;
}
