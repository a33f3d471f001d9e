/**
 * `@portcullis/hono`: the Portcullis HTTP API for Hono. `portcullis(auth)` is the app to mount
 * at the base path with `app.route`; `requireAuth(auth)` guards the app's own routes and types
 * `c.get('auth')`.
 */
export { portcullis } from './app.js';
export type { PortcullisHonoOptions } from './options.js';
export type { PortcullisEnv } from './require-auth.js';
export { requireAuth } from './require-auth.js';
