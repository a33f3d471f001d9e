/**
 * `@portcullis/core/two-factor`: the TOTP primitives (RFC 6238) behind core's second factor,
 * for importers and tests. Importers convert a secret to Base32 (`toBase32`) and encrypt it
 * with a `Keyring` under {@link TOTP_SECRET_KEY} before writing a `TotpState`; tests and
 * end-to-end scripts compute the code an authenticator app would show (`totpCode`).
 */
export { TOTP_SECRET_KEY } from './purposes.js';
export type { TotpParams } from './totp.js';
export { DEFAULT_TOTP_PARAMS, toBase32, totpCode, totpUri } from './totp.js';
