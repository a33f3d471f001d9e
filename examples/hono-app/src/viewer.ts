import { type Auth, isAuthError } from '@portcullis/core';
import { createHttpHandler, type RequestAuth } from '@portcullis/core/http';
import type { Context, MiddlewareHandler } from 'hono';
import { html } from 'hono/html';
import { type Html, layout } from './layout.js';

/** Hono variables of the pages: who is looking, if anyone. */
export type PageEnv = {
  Variables: {
    /** The signed-in user and session of this request; `undefined` when signed out. */
    viewer: RequestAuth | undefined;
    /** Whether the development mailbox exists (shown in the navigation). */
    devMailbox: boolean;
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
    let viewer: RequestAuth | undefined;
    // Pages are GETs. Another method reaches no page (404): authenticating it would run the
    // CSRF check of unsafe methods, and its refusal (CSRF_FAILED) would end as a 500.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') {
      try {
        viewer = await authenticate(c.req.raw);
      } catch (error) {
        if (!isAuthError(error) || error.code !== 'UNAUTHENTICATED') throw error;
      }
    }
    c.set('viewer', viewer);
    c.set('devMailbox', options.devMailbox);
    // Pages show personal data and carry tokens in their URL: never cache them.
    c.header('cache-control', 'no-store');
    await next();
  };
}

/** Renders a page in the layout. */
export function render(c: Context<PageEnv>, title: string, content: Html, status: 200 | 404 = 200) {
  const frame = {
    title,
    user: c.var.viewer?.user,
    notice: c.req.query('notice'),
    devMailbox: c.var.devMailbox,
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
export function viewerOf(c: Context<PageEnv>): RequestAuth {
  const viewer = c.var.viewer;
  if (viewer === undefined) throw new Error('viewerOf: the route is not behind signedInOnly()');
  return viewer;
}

/** A page's "not found" answer. */
export function notFound(c: Context<PageEnv>) {
  return render(c, 'Not found', html`<p>There is no page here. <a href="/">Home</a></p>`, 404);
}
