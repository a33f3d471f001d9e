import { type Auth, isAuthError, type SessionInfo } from '@portcullis/core';
import { createHttpHandler } from '@portcullis/core/http';
import type { Context, MiddlewareHandler } from 'hono';
import { html } from 'hono/html';
import { type Html, type Impersonation, layout } from './layout.js';
import type { AppUser } from './user-fields.js';

/**
 * Who is looking at a page: the signed-in user (with the app's fields, `user-fields.ts`) and
 * their session, both read by the cookie's validation.
 */
export interface Viewer {
  readonly user: AppUser;
  readonly session: SessionInfo;
}

/** Hono variables of the pages: who is looking, if anyone. */
export type PageEnv = {
  Variables: {
    /**
     * The signed-in user (with the app's fields, `user-fields.ts`) and session of this
     * request; `undefined` when signed out.
     */
    viewer: Viewer | undefined;
    /**
     * Origins of images from elsewhere that this page shows (a profile picture): added to the
     * `img-src` of its Content-Security-Policy by {@link allowPageImages}. Unset: none.
     */
    imageOrigins: readonly string[] | undefined;
    /** Whether the development mailbox exists (shown in the navigation). */
    devMailbox: boolean;
    /**
     * The impersonation that the viewer's session is (the banner of every page), or
     * `undefined`: signed out, or a session of the user's own.
     */
    impersonation: Impersonation | undefined;
  };
};

/**
 * Reads the session cookie of a page request (a GET or HEAD, so no CSRF check is due) and sets
 * `c.var.viewer`. A missing, expired or revoked session is simply "signed out", and so is any
 * request of another method.
 */
export function loadViewer(
  auth: Auth,
  options: { devMailbox: boolean },
): MiddlewareHandler<PageEnv> {
  // The public `authenticate` of the HTTP layer: it knows the cookie names and rules.
  const { authenticate } = createHttpHandler(auth);
  return async (c, next) => {
    let viewer: Viewer | undefined;
    // Pages are GETs. Another method reaches no page (404): authenticating it would run the
    // CSRF check of unsafe methods, and its refusal (CSRF_FAILED) would end as a 500.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') {
      try {
        // A cookie's validation read the user and session: user() and session() await nothing.
        const request = await authenticate(c.req.raw);
        // The runtime user carries the app's fields (core's public user); the type names them.
        viewer = { user: (await request.user()) as AppUser, session: await request.session() };
      } catch (error) {
        if (!isAuthError(error) || error.code !== 'UNAUTHENTICATED') throw error;
      }
    }
    c.set('viewer', viewer);
    c.set('impersonation', viewer === undefined ? undefined : await impersonationOf(auth, viewer));
    c.set('devMailbox', options.devMailbox);
    // Pages show personal data and carry tokens in their URL: never cache them.
    c.header('cache-control', 'no-store');
    await next();
  };
}

/**
 * The impersonation that `viewer`'s session is (`session.impersonatedBy`, the admin's id), with
 * the admin's email for the banner; `undefined` for a session of the user's own (no read).
 */
async function impersonationOf(auth: Auth, viewer: Viewer): Promise<Impersonation | undefined> {
  const adminId = viewer.session.impersonatedBy;
  if (adminId === null) return undefined;
  let adminEmail = adminId;
  try {
    adminEmail = (await auth.users.get(adminId)).email;
  } catch (error) {
    // Deleted since the validation (which ends an impersonation whose admin is gone): the id.
    if (!isAuthError(error)) throw error;
  }
  return { adminEmail, endsAt: viewer.session.expiresAt };
}

/** Renders a page in the layout. */
export function render(c: Context<PageEnv>, title: string, content: Html, status: 200 | 404 = 200) {
  const frame = {
    title,
    user: c.var.viewer?.user,
    notice: c.req.query('notice'),
    devMailbox: c.var.devMailbox,
    impersonation: c.var.impersonation,
  };
  return c.html(layout(frame, content), status);
}

/** Sends signed-out visitors to the sign-in page, coming back here afterwards. */
export function signedInOnly(): MiddlewareHandler<PageEnv> {
  return async (c, next) => {
    if (c.var.viewer === undefined) {
      const back = new URL(c.req.url);
      return c.redirect(`/sign-in?next=${encodeURIComponent(back.pathname + back.search)}`, 303);
    }
    await next();
  };
}

/** The viewer of a page behind {@link signedInOnly}. */
export function viewerOf(c: Context<PageEnv>): Viewer {
  const viewer = c.var.viewer;
  if (viewer === undefined) throw new Error('viewerOf: the route is not behind signedInOnly()');
  return viewer;
}

/** A page's "not found" answer. */
export function notFound(c: Context<PageEnv>) {
  return render(c, 'Not found', html`<p>There is no page here. <a href="/">Home</a></p>`, 404);
}

/**
 * Widens the `img-src` of a page's Content-Security-Policy by the origins the page put in
 * `c.var.imageOrigins` (a profile picture's host), for that response only: every other page
 * keeps `'self' data:`. Mounted before `secureHeaders` so that it runs after it has set the
 * header. The origins come from `pictureOrigin` (`user-fields.ts`): a scheme, a host name and
 * a port, nothing that could end the directive.
 */
export function allowPageImages(): MiddlewareHandler<PageEnv> {
  return async (c, next) => {
    await next();
    const origins = c.var.imageOrigins;
    const policy = c.res.headers.get('content-security-policy');
    if (origins === undefined || origins.length === 0 || policy === null) return;
    c.res.headers.set(
      'content-security-policy',
      policy.replace(
        /(^|;\s*)img-src([^;]*)/,
        (_, start: string, sources: string) => `${start}img-src${sources} ${origins.join(' ')}`,
      ),
    );
  };
}
