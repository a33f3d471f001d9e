import type { Auth } from '@portcullis/core';
import { createHttpHandler, type HttpHandler } from '@portcullis/core/http';

const handlers = new WeakMap<Auth, HttpHandler>();

/**
 * The one HTTP handler of `auth`, shared by `portcullis(auth)` and every `requireAuth(auth)`,
 * so an app that guards many routes builds the route table once.
 */
export function handlerFor(auth: Auth): HttpHandler {
  let handler = handlers.get(auth);
  if (handler === undefined) {
    handler = createHttpHandler(auth);
    handlers.set(auth, handler);
  }
  return handler;
}
