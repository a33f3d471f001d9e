/**
 * `/admin/audit`: security events across users, newest first (`auth.admin.audit.list`), with a
 * type filter, one user's events (`?userId=`, from a user's page) and "Next page" paging. The
 * admin actions show as `admin.action` events naming the admin.
 */
import { type AdminAuditEvent, type Auth, type AuthEventType, isAuthError } from '@portcullis/core';
import type { Hono } from 'hono';
import { html } from 'hono/html';
import type { AdminGuards } from './admin-user-page.js';
import { actorOf, refusalBox, refusalStatus, renderAdmin, userPath } from './admin-view.js';
import { type Html, when } from './layout.js';
import { type PageEnv, viewerOf } from './viewer.js';

/** Events per page. */
const EVENTS_PER_PAGE = 50;

/** The types offered in the filter's list (any other type can be typed in). */
const COMMON_TYPES: readonly AuthEventType[] = [
  'admin.action',
  'login.succeeded',
  'login.failed',
  'login.locked',
  'session.revoked',
  'session.revoked_all',
  'password.reset',
  'password.changed',
  'email.changed',
  '2fa.enabled',
  '2fa.disabled',
  '2fa.failed',
  'passkey.registered',
  'account.linked',
  'user.registered',
];

/** Mounts `/admin/audit`. */
export function auditPage(app: Hono<PageEnv>, auth: Auth, guards: AdminGuards): void {
  app.get('/admin/audit', guards.signedIn, guards.admins, async (c) => {
    const type = (c.req.query('type') ?? '').trim();
    const userId = c.req.query('userId') ?? '';
    const cursor = c.req.query('cursor') ?? '';
    const form = filterForm({ type, userId });
    let page: { events: AdminAuditEvent[]; nextCursor: string | null };
    try {
      page = await auth.admin.audit.list(actorOf(viewerOf(c)), {
        limit: EVENTS_PER_PAGE,
        ...(type === '' ? {} : { type }),
        ...(userId === '' ? {} : { userId }),
        ...(cursor === '' ? {} : { cursor }),
      });
    } catch (error) {
      // A type that is not one (`type must be an event type…`), a forged cursor.
      if (!isAuthError(error)) throw error;
      const content = html`${form}${refusalBox(error)}`;
      return renderAdmin(c, 'Security events', content, refusalStatus(error));
    }
    const emails = await emailsOf(auth, page.events);
    const query = (extra: Record<string, string>) =>
      new URLSearchParams(
        Object.entries({ type, userId, ...extra }).filter(([, value]) => value !== ''),
      ).toString();
    const whose =
      userId === ''
        ? ''
        : html`<p>Only the events of ${emails.get(userId) ?? userId}.
            <a href="/admin/audit?${query({ userId: '' })}">Every user</a></p>`;
    return renderAdmin(
      c,
      'Security events',
      html`${form}${whose}
        ${
          page.events.length === 0
            ? html`<p data-testid="no-events">No event matches.</p>`
            : html`<table data-testid="admin-audit">
                <thead>
                  <tr><th>When</th><th>Event</th><th>User</th><th>From</th><th>Details</th></tr>
                </thead>
                <tbody>
                  ${page.events.map((e) => eventRow(e, emails))}
                </tbody>
              </table>`
        }
        <p class="admin-paging">
          ${cursor === '' ? '' : html`<a href="/admin/audit?${query({})}">Newest</a>`}
          ${
            page.nextCursor === null
              ? ''
              : html`<a href="/admin/audit?${query({ cursor: page.nextCursor })}" rel="next">Next page</a>`
          }
        </p>`,
    );
  });
}

function filterForm(filters: { type: string; userId: string }): Html {
  return html`<form method="get" action="/admin/audit" role="search" class="admin-filters">
    <label for="audit-type">Type</label>
    <input id="audit-type" name="type" value="${filters.type}" list="audit-types" autocomplete="off" />
    <datalist id="audit-types">
      ${COMMON_TYPES.map((t) => html`<option value="${t}"></option>`)}
    </datalist>
    <small>An event type such as admin.action or login.failed; empty for all.</small>
    ${filters.userId === '' ? '' : html`<input type="hidden" name="userId" value="${filters.userId}" />`}
    <button type="submit">Filter</button>
  </form>`;
}

/**
 * The emails of the users the events name (their user, the admin of an admin action, the
 * target of a deletion), read once each; a user who is gone keeps their id.
 */
async function emailsOf(auth: Auth, events: readonly AdminAuditEvent[]) {
  const ids = new Set<string>();
  for (const e of events) {
    ids.add(e.userId);
    for (const key of ['adminId', 'targetId']) {
      const id = e.data[key];
      if (typeof id === 'string') ids.add(id);
    }
  }
  const emails = new Map<string, string>();
  await Promise.all(
    [...ids].map(async (id) => {
      try {
        emails.set(id, (await auth.users.get(id)).email);
      } catch (error) {
        // Deleted since: the page shows the id.
        if (!isAuthError(error)) throw error;
      }
    }),
  );
  return emails;
}

function userLink(id: string, emails: ReadonlyMap<string, string>): Html {
  const email = emails.get(id);
  return email === undefined
    ? html`<small>${id} (deleted)</small>`
    : html`<a href="${userPath(id)}">${email}</a>`;
}

/** A line of facts: the action and admin of an admin action, else the event's data. */
function details(e: AdminAuditEvent, emails: ReadonlyMap<string, string>): Html {
  const { action, adminId, via, targetId, fields, ...rest } = e.data;
  const parts: (Html | string)[] = [];
  if (typeof action === 'string') parts.push(html`<strong>${action}</strong>`);
  if (Array.isArray(fields)) parts.push(`changed ${fields.join(', ')}`);
  if (typeof adminId === 'string') parts.push(html`by ${userLink(adminId, emails)}`);
  if (typeof via === 'string') parts.push(`via ${via}`);
  if (typeof targetId === 'string') parts.push(html`user ${targetId}`);
  for (const [key, value] of Object.entries(rest)) {
    parts.push(`${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  return html`${parts.map((p, i) => html`${i === 0 ? '' : ' · '}${p}`)}`;
}

function eventRow(e: AdminAuditEvent, emails: ReadonlyMap<string, string>): Html {
  return html`<tr data-type="${e.type}" data-user-id="${e.userId}">
    <td>${when(e.at)}</td>
    <td>${e.type}</td>
    <td>${userLink(e.userId, emails)}</td>
    <td>${e.ip ?? '—'}</td>
    <td>${details(e, emails)}</td>
  </tr>`;
}
