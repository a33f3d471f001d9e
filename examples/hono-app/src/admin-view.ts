/**
 * What the admin pages (`pages-admin.ts`, `admin-user-page.ts`, `admin-audit-page.ts`) share:
 * the guard that lets only admins in, the actor the typed admin API names, pages with a status
 * of their own (403, 404), AuthErrors as messages, and the forms of the admin actions.
 */
import { ADMIN_ROLE, type AdminActor, type Auth, isAuthError } from '@portcullis/core';
import type { Context, MiddlewareHandler } from 'hono';
import { html } from 'hono/html';
import { type Html, layout } from './layout.js';
import { type PageEnv, viewerOf } from './viewer.js';

/** The statuses an admin page answers with. */
export type AdminPageStatus = 200 | 400 | 403 | 404 | 409 | 429;

/**
 * Renders an admin page in the layout, with the admin area's navigation and its script
 * (`/assets/admin.js`, which sends the action forms), under `status`.
 */
export function renderAdmin(
  c: Context<PageEnv>,
  title: string,
  content: Html,
  status: AdminPageStatus = 200,
): Response | Promise<Response> {
  const frame = {
    title,
    user: c.var.viewer?.user,
    notice: c.req.query('notice'),
    devMailbox: c.var.devMailbox,
    impersonation: c.var.impersonation,
  };
  const body = html`<script src="/assets/admin.js" defer></script>
    <nav class="admin-nav" aria-label="Admin area">
      <a href="/admin/users">Users</a> <a href="/admin/audit">Security events</a>
    </nav>
    ${content}`;
  return c.html(layout(frame, body), status);
}

/**
 * Lets only users with the `admin` role through; others get a 403 page, and so does an
 * impersonation whatever the user's roles (core refuses it every admin operation). Put it after
 * `signedInOnly()`, which sends anonymous visitors to the sign-in page first. The typed admin
 * API checks the permission again, from the stored user, on every call.
 */
export function adminOnly(auth: Auth): MiddlewareHandler<PageEnv> {
  return async (c, next) => {
    const viewer = viewerOf(c);
    const impersonating = viewer.session.impersonatedBy !== null;
    if (impersonating || !auth.hasRole(viewer.user, ADMIN_ROLE)) {
      return c.html(
        layout(
          {
            title: 'Not allowed',
            user: viewer.user,
            notice: undefined,
            devMailbox: c.var.devMailbox,
            impersonation: c.var.impersonation,
          },
          impersonating
            ? html`<p data-testid="forbidden">The admin area is closed during an impersonation:
                stop it (above) to be yourself again.</p>`
            : html`<p data-testid="forbidden">This page is for administrators. <a href="/">Home</a></p>`,
        ),
        403,
      );
    }
    await next();
  };
}

/**
 * The admin as the typed admin API names them: their user id and this session (a page's
 * viewer, or the claims of a request behind `requireAuth`).
 */
export function actorOf(
  viewer:
    | { readonly user: { readonly id: string }; readonly session: { readonly id: string } }
    | {
        readonly claims: { readonly sub: string; readonly sid: string };
      },
): AdminActor {
  return 'claims' in viewer
    ? { userId: viewer.claims.sub, sessionId: viewer.claims.sid }
    : { userId: viewer.user.id, sessionId: viewer.session.id };
}

/**
 * An AuthError as one sentence for the page: its safe message, then the details of a refusal
 * (the self-lockout rules and invalid fields say what is wrong there). Anything else is
 * rethrown: a bug, not a refusal.
 */
export function refusalText(error: unknown): string {
  if (!isAuthError(error)) throw error;
  return [error.message, ...(error.details ?? []).map((d) => d.message)].join(' ');
}

/** The page status of a refusal: its own where the page can answer it, else 400. */
export function refusalStatus(error: unknown): AdminPageStatus {
  const status = isAuthError(error) ? error.status : 400;
  return status === 403 || status === 404 || status === 409 || status === 429 ? status : 400;
}

/** A refusal shown on a page. */
export function refusalBox(error: unknown): Html {
  return html`<p class="error" role="alert" data-testid="admin-error">${refusalText(error)}</p>`;
}

/**
 * A form of an admin action, sent by `/assets/admin.js` as a JSON POST to `action` (a route of
 * `admin-actions.ts`) with the app's CSRF header; on success the browser goes to `next`, else
 * the refusal shows in the form.
 */
export function adminForm(
  options: { action: string; next: string; submit: string; className?: string },
  fields: Html | string = '',
): Html {
  return html`<form
    data-admin="${options.action}"
    data-next="${options.next}"
    class="${options.className ?? 'admin-action'}"
  >
    ${fields}
    <p class="error" role="alert" data-role="error" hidden></p>
    <button type="submit">${options.submit}</button>
  </form>`;
}

/** `/admin/users/:id` of a user id, for links and form actions. */
export function userPath(id: string, rest = ''): string {
  return `/admin/users/${encodeURIComponent(id)}${rest}`;
}

/** A date for people from epoch ms (linked accounts and passkeys carry those). */
export function whenMs(ms: number | null): string {
  if (ms === null) return 'Never';
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
