/**
 * The actions of the admin area: `POST /admin/users/:id/<action>`, sent as JSON by
 * `/assets/admin.js` (`admin-assets.ts`) from the forms of the user page. Each one runs behind
 * `requireAuth(auth, { role: 'admin' })` of `@portcullis/hono`, which also checks the CSRF
 * header and the Origin as core's own API does, and calls the typed admin API
 * (`auth.admin.users.*`), which checks the admin's permission again and audits the change as an
 * `admin.action` naming them. The answer is `{ ok: true }`, or the contract's error body with
 * its status (`403 FORBIDDEN`, `400 VALIDATION_FAILED` for the self-lockout rules, `404`…),
 * which the script shows in the form.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import {
  ADMIN_ROLE,
  type AdminActor,
  type Auth,
  AuthError,
  isAuthError,
  type RequestContext,
} from '@portcullis/core';
import { errorResponse, type RequestAuth } from '@portcullis/core/http';
import { requireAuth } from '@portcullis/hono';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { actorOf } from './admin-view.js';
import type { PageEnv } from './viewer.js';

/** What an action gets: the admin, the user of the path, the posted fields, the client. */
interface ActionInput {
  readonly actor: AdminActor;
  readonly userId: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly context: RequestContext;
}

/** The paths of the admin actions below `/admin/users/:id/`, as the pages name them. */
export type AdminAction =
  | 'disable'
  | 'enable'
  | 'roles/grant'
  | 'roles/revoke'
  | 'sessions/revoke'
  | 'unlock'
  | 'second-factor/reset'
  | 'reset-link'
  | 'delete';

const ACTIONS: Record<AdminAction, (auth: Auth, input: ActionInput) => Promise<void>> = {
  disable: async (auth, { actor, userId, context }) => {
    // Core refuses an admin's own account (VALIDATION_FAILED naming `disabled`).
    await auth.admin.users.update(actor, userId, { disabled: true }, context);
  },
  enable: async (auth, { actor, userId, context }) => {
    await auth.admin.users.update(actor, userId, { disabled: false }, context);
  },
  'roles/grant': async (auth, { actor, userId, fields, context }) => {
    const role = stringField(fields, 'role', { required: true });
    const { user } = await auth.admin.users.get(actor, userId);
    if (user.roles.includes(role)) return;
    // Core refuses a role the configuration does not name (VALIDATION_FAILED on `roles`).
    await auth.admin.users.update(actor, userId, { roles: [...user.roles, role] }, context);
  },
  'roles/revoke': async (auth, { actor, userId, fields, context }) => {
    const role = stringField(fields, 'role', { required: true });
    const { user } = await auth.admin.users.get(actor, userId);
    if (!user.roles.includes(role)) return;
    // Core refuses an admin taking away their own admin role.
    const roles = user.roles.filter((r) => r !== role);
    await auth.admin.users.update(actor, userId, { roles }, context);
  },
  'sessions/revoke': async (auth, { actor, userId, fields, context }) => {
    // One session when the form names it, else every session of the user.
    const sessionId = stringField(fields, 'sessionId');
    await auth.admin.users.revokeSessions(
      actor,
      { userId, ...(sessionId === undefined ? {} : { sessionId }) },
      context,
    );
  },
  unlock: (auth, { actor, userId, context }) => auth.admin.users.unlock(actor, userId, context),
  'second-factor/reset': (auth, { actor, userId, context }) =>
    auth.admin.users.resetSecondFactor(actor, userId, context),
  'reset-link': (auth, { actor, userId, context }) =>
    auth.admin.users.sendResetLink(actor, userId, context),
  // Core refuses an admin's own account; the user page asks for a confirmation first.
  delete: (auth, { actor, userId, context }) => auth.admin.users.delete(actor, userId, context),
};

/** The largest body an action reads: a role name or a session id. */
const BODY_LIMIT_BYTES = 4 * 1024;

/**
 * Mounts `POST /admin/users/:id/<action>` for each {@link AdminAction}. A signed-out caller
 * gets `401 UNAUTHENTICATED`, a missing or wrong CSRF header `403 CSRF_FAILED`, a user without
 * the `admin` role `403 FORBIDDEN`; the typed admin API's refusals keep their codes.
 */
export function adminActions(app: Hono<PageEnv>, auth: Auth): void {
  const admins = requireAuth(auth, { role: ADMIN_ROLE });
  const limit = bodyLimit({
    maxSize: BODY_LIMIT_BYTES,
    onError: () => errorResponse(new AuthError('PAYLOAD_TOO_LARGE')),
  });
  for (const [path, run] of Object.entries(ACTIONS)) {
    app.post(`/admin/users/:id/${path}`, admins, limit, async (c) => {
      const viewer: RequestAuth = c.get('auth');
      try {
        await run(auth, {
          actor: actorOf(viewer),
          userId: c.req.param('id'),
          fields: await fieldsOf(c),
          context: contextOf(c),
        });
        return c.json({ ok: true });
      } catch (error) {
        if (!isAuthError(error)) await auth.reportServerError(error, { route: `admin ${path}` });
        return errorResponse(error);
      }
    });
  }
}

/**
 * The posted JSON object (none: no fields).
 * @throws AuthError `BAD_REQUEST` for anything but a JSON object
 */
async function fieldsOf(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new AuthError('BAD_REQUEST', { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AuthError('BAD_REQUEST');
  }
  return value as Record<string, unknown>;
}

function stringField(
  fields: Readonly<Record<string, unknown>>,
  name: string,
  options: { required: true },
): string;
function stringField(fields: Readonly<Record<string, unknown>>, name: string): string | undefined;
/**
 * A string field of the body, or `undefined` when absent (unless `required`).
 * @throws AuthError `VALIDATION_FAILED` naming the field
 */
function stringField(
  fields: Readonly<Record<string, unknown>>,
  name: string,
  options: { required?: boolean } = {},
): string | undefined {
  const value = fields[name];
  if (value === undefined && options.required !== true) return undefined;
  if (typeof value === 'string' && value.length > 0 && value.length <= 256) return value;
  throw new AuthError('VALIDATION_FAILED', {
    details: [{ path: name, message: `${name} must be a string of 1 to 256 characters` }],
  });
}

/**
 * The client for the audit trail: the socket's address (the example trusts no proxy, as
 * `createAuth`'s default `trustProxy: false`) and the user agent.
 */
function contextOf(c: Context): RequestContext {
  let ip: string | undefined;
  try {
    // `::ffff:127.0.0.1` is IPv4 127.0.0.1, written as core writes it.
    ip = getConnInfo(c).remote.address?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  } catch {
    // Not on @hono/node-server (app.request in a test): the address stays unknown.
    ip = undefined;
  }
  const userAgent = c.req.header('user-agent');
  return {
    ...(ip === undefined ? {} : { ip }),
    ...(userAgent === undefined ? {} : { userAgent }),
  };
}
