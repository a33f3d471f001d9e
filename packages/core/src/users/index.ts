/**
 * `@portcullis/core/users`: how core normalizes emails and usernames. Stores compare the
 * normalized values exactly (`UserRecord.emailNormalized`, `usernameNormalized`), so an
 * importer that writes users into storage itself must compute them with these functions; and
 * how the app's own user fields are checked (`resolveUserFields`, `parseUserFields`).
 */
export type { ResolvedUserField, UserFieldDefinitions } from './fields.js';
export { parseUserFields, resolveUserFields } from './fields.js';
export type { NormalizedEmail, NormalizedUsername } from './normalize.js';
export { normalizeEmail, normalizeUsername } from './normalize.js';
