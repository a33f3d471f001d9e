import * as v from 'valibot';
import { AuthError } from '../errors/auth-error.js';
import { passwordField, text } from '../flows/input.js';
import { authenticationResponseSchema } from '../flows/webauthn-input.js';

/** A user id as core generates them. */
export const userIdField = text('userId', 128);

/** A one-time code of any kind; its shape is checked by the method. */
export const codeField = text('code', 64);

/** A sign-in challenge token. */
export const challengeField = text('challenge', 128);

/** One of the second-factor methods. */
export const methodField = v.picklist(
  ['totp', 'email', 'sms', 'recovery', 'passkey'],
  'method must be one of totp, email, sms, recovery, passkey',
);

/** An E.164 phone number: `+`, a country code that does not start with 0, 7 to 15 digits. */
export const phoneField = v.pipe(
  v.string('phone must be a string'),
  v.trim(),
  v.regex(/^\+[1-9]\d{6,14}$/, 'phone must be in E.164 format, like +14155550123'),
);

/** `{ userId, password }`. */
export const userPasswordSchema = v.object({ userId: userIdField, password: passwordField() });

/** `{ userId, code }`. */
export const userCodeSchema = v.object({ userId: userIdField, code: codeField });

/** `{ challenge }`. */
export const challengeSchema = v.object({ challenge: challengeField });

/** Input of `verifySecondFactor`. */
export const verifySchema = v.object({
  challenge: challengeField,
  method: methodField,
  /** The code; every method but `passkey` needs one. */
  code: v.optional(codeField),
  /** With `passkey`: the browser's `AuthenticationResponseJSON` for the challenge's options. */
  response: v.optional(authenticationResponseSchema),
  rememberDevice: v.optional(v.boolean('rememberDevice must be true or false')),
});

/** A `VALIDATION_FAILED` about the state of the account rather than a field. */
export function stateError(path: string, message: string): AuthError {
  return new AuthError('VALIDATION_FAILED', { details: [{ path, message }] });
}
