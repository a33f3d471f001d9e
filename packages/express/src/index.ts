/**
 * `@portcullis/express`: the Portcullis HTTP API for Express 5. `portcullis(auth)` is the router
 * to mount at the base path; `requireAuth(auth)` guards the app's own routes.
 */
export { requireAuth } from './require-auth.js';
export { portcullis } from './router.js';
