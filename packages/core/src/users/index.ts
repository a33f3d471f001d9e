/**
 * `@portcullis/core/users`: how core normalizes emails and usernames. Stores compare the
 * normalized values exactly (`UserRecord.emailNormalized`, `usernameNormalized`), so an
 * importer that writes users into storage itself must compute them with these functions.
 */
export type { NormalizedEmail, NormalizedUsername } from './normalize.js';
export { normalizeEmail, normalizeUsername } from './normalize.js';
