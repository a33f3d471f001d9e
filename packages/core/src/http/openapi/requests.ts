/**
 * Valibot schemas of the request bodies, as a client sends them (JSON or form). Each is the
 * flow's input schema without what the HTTP layer adds (`userId` and `sessionId` come from the
 * session), built from the same field schemas the flows validate with (`flows/input.ts`,
 * `two-factor/input.ts`); the exported flow schemas are used as they are. The bodies of
 * sensitive routes also take the fresh-session proof (`password`, and `code` with `method` for
 * a user with 2FA on).
 *
 * `scripts/openapi.ts` converts them with `typeMode: 'input'`: a pipe's JSON Schema stops before
 * its first transformation (the email normalization of `POST /user/email`), so the document
 * describes what a client sends, not what the flow makes of it; `trim` and custom `check`s
 * (no JSON Schema equivalent) are left out, and the server still enforces them with
 * `VALIDATION_FAILED`.
 */
import * as v from 'valibot';
import { deleteAccountSchema } from '../../account/delete.js';
import { confirmEmailChangeSchema, requestEmailChangeSchema } from '../../account/email-change.js';
import { changePasswordSchema } from '../../account/password-change.js';
import { requestResetSchema, resetPasswordSchema } from '../../account/password-reset.js';
import { profilePatchSchema } from '../../account/profile.js';
import { adminCreateSchema } from '../../admin/create.js';
import { adminUpdateSchema, revokeSessionsSchema } from '../../admin/users.js';
import { passwordField } from '../../flows/input.js';
import {
  authenticationResponseSchema,
  registrationResponseSchema,
} from '../../flows/webauthn-input.js';
import { registerSchema } from '../../register/register.js';
import { resendVerificationSchema, verifyEmailSchema } from '../../register/verify-email.js';
import { passkeyLoginOptionsSchema, renamePasskeySchema } from '../../sign-in/passkeys.js';
import { loginSchema } from '../../sign-in/password.js';
import { reauthCodeSchema } from '../../sign-in/step-up.js';
import {
  challengeSchema,
  codeField,
  phoneField,
  userCodeSchema,
  userPasswordSchema,
  verifySchema,
} from '../../two-factor/input.js';
import { MAX_EMAIL_LENGTH } from '../../users/normalize.js';

/** The second factor of a re-authentication: TOTP or a recovery code (`sign-in/step-up.ts`). */
const reauthMethod = reauthCodeSchema.entries.method;

/** The fresh-session proof (`docs/http.md`): optional password, and `code` + `method` with 2FA. */
const freshnessProof = {
  password: v.optional(passwordField()),
  code: v.optional(codeField),
  method: v.optional(reauthMethod),
};

/**
 * An email address as the document describes it: `format: email` and at most 254 characters,
 * the length the server accepts (`normalizeEmail`); the server's own check decides.
 */
const emailDoc = (name: string) =>
  v.pipe(
    v.string(`${name} must be a string`),
    v.minLength(1, `${name} is required`),
    v.maxLength(MAX_EMAIL_LENGTH, `${name} is too long`),
    v.email(`${name} must be an email address`),
  );

/**
 * A new password as the document describes it: the default policy's minimum of 8 characters
 * (`password.minLength`; a shorter one is `400 WEAK_PASSWORD`) and the field's maximum.
 */
const newPasswordDoc = (name: string) =>
  v.pipe(
    v.string(`${name} must be a string`),
    v.minLength(8, `${name} is too short`),
    v.maxLength(1024, `${name} is too long`),
  );

/** `POST /register` (`register/register.ts`). */
export const RegisterRequest = v.object({
  ...registerSchema.entries,
  email: emailDoc('email'),
  // Optional only with magic links on (a passwordless account); required otherwise.
  password: v.optional(newPasswordDoc('password')),
});

/** `POST /email/verify` (`register/verify-email.ts`). */
export const VerifyEmailRequest = verifyEmailSchema;

/** `POST /email/verify/resend` (`register/verify-email.ts`). */
export const ResendVerificationRequest = v.object({
  ...resendVerificationSchema.entries,
  email: emailDoc('email'),
});

/** `POST /login` (`sign-in/password.ts`): an email address or a username. */
export const LoginRequest = loginSchema;

/** `POST /token/refresh`: the token in the body, or none when it is in the refresh cookie. */
export const RefreshRequest = v.object({ refreshToken: v.optional(v.string()) });

/** `POST /reauthenticate` (`sign-in/reauthenticate.ts`). */
export const ReauthenticateRequest = v.object({
  password: passwordField(),
  code: v.optional(codeField),
  method: v.optional(reauthMethod),
});

/** `POST /logout/all`, `DELETE /sessions/{id}`: the optional fresh-session proof. */
export const FreshnessProofRequest = v.object(freshnessProof);
/** `POST /oauth/:provider/link`: where to go afterwards, and the fresh-session proof. */
export const OAuthLinkRequest = v.object({
  redirectTo: v.optional(v.pipe(v.string(), v.maxLength(1024))),
  ...freshnessProof,
});
/** `POST /oauth/:provider/callback`: a provider's `form_post` answer (Apple's adds `user`). */
export const OAuthCallbackForm = v.looseObject({
  state: v.optional(v.string()),
  code: v.optional(v.string()),
  iss: v.optional(v.string()),
  error: v.optional(v.string()),
  error_description: v.optional(v.string()),
  user: v.optional(v.string()),
});

/**
 * `PATCH /user` (`account/profile.ts`): an absent key keeps the value, `null` clears it; any
 * other key is refused (the served document adds the app's `editable` fields).
 */
export const UpdateProfileRequest = profilePatchSchema;

/** `POST /user/email` (`account/email-change.ts`): the address is normalized by the flow. */
export const RequestEmailChangeRequest = v.object({
  ...freshnessProof,
  ...v.omit(requestEmailChangeSchema, ['userId', 'sessionId']).entries,
  newEmail: emailDoc('newEmail'),
});

/** `POST /user/email/confirm` (`account/email-change.ts`). */
export const ConfirmEmailChangeRequest = confirmEmailChangeSchema;

/** `POST /password/change` (`account/password-change.ts`); the current password is the proof. */
export const ChangePasswordRequest = v.object({
  ...v.omit(changePasswordSchema, ['userId', 'sessionId']).entries,
  newPassword: newPasswordDoc('newPassword'),
});

/** `POST /password/reset` (`account/password-reset.ts`): only the shape is checked. */
export const PasswordResetRequest = v.object({
  ...requestResetSchema.entries,
  email: emailDoc('email'),
});

/** `POST /password/reset/confirm` (`account/password-reset.ts`). */
export const PasswordResetConfirmRequest = v.object({
  ...resetPasswordSchema.entries,
  newPassword: newPasswordDoc('newPassword'),
});

/** `DELETE /user` (`account/delete.ts`). */
export const DeleteAccountRequest = v.object({
  ...freshnessProof,
  ...v.omit(deleteAccountSchema, ['userId', 'sessionId']).entries,
});

/** `POST /2fa/totp/enroll` (`account/two-factor-enroll.ts`). */
export const TotpEnrollRequest = v.omit(userPasswordSchema, ['userId']);

/** `POST /2fa/totp/confirm`, `POST /2fa/phone/confirm` (`account/two-factor-enroll.ts`, `two-factor-phone.ts`). */
export const CodeRequest = v.omit(userCodeSchema, ['userId']);

/** `POST /2fa/disable` (`account/two-factor-manage.ts`). */
// `password` (here and below) is required unless the account has none: then a fresh session.
export const DisableTwoFactorRequest = v.object({
  password: v.optional(passwordField()),
  code: codeField,
});

/** `POST /2fa/recovery-codes` (`account/two-factor-manage.ts`), with the fresh-session proof. */
export const RegenerateRecoveryCodesRequest = v.object(freshnessProof);

/** `POST /2fa/phone` (`account/two-factor-phone.ts`): an E.164 number. */
export const PhoneRequest = v.object({
  ...freshnessProof,
  phone: phoneField,
});

/** `POST /2fa/email/send`, `POST /2fa/sms/send` (`two-factor/send-code.ts`). */
export const ChallengeRequest = challengeSchema;

/** `POST /2fa/verify` (`sign-in/verify-second-factor.ts`). */
export const VerifySecondFactorRequest = verifySchema;

/** `POST /passkeys/register/options` (`sign-in/passkeys.ts`): the fresh-session proof. */
export const PasskeyRegistrationOptionsRequest = v.object(freshnessProof);
/** `POST /passkeys/register/verify`: the browser's `RegistrationResponseJSON` and a name. */
export const PasskeyRegistrationRequest = v.object({
  response: registrationResponseSchema,
  name: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
});
/** `POST /passkeys/login/options`: optionally whose passkeys to list. */
export const PasskeyLoginOptionsRequest = passkeyLoginOptionsSchema;
/** `POST /passkeys/login/verify`: the challenge id and the browser's `AuthenticationResponseJSON`. */
export const PasskeyLoginRequest = v.object({
  challengeId: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
  response: authenticationResponseSchema,
});
/** `PATCH /passkeys/:id`. */
export const RenamePasskeyRequest = renamePasskeySchema;
/** `DELETE /passkeys/:id`: the fresh-session proof. */
export const RemovePasskeyRequest = v.object(freshnessProof);
/** `POST /magic-link` (`sign-in/magic-link.ts`): only the shape is checked. */
export const MagicLinkRequest = v.object({ email: emailDoc('email') });
/** `POST /magic-link/verify`: the mailed link's `token`, or `email` and the mailed `code`. */
export const MagicLinkVerifyRequest = v.object({
  token: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(1024))),
  email: v.optional(emailDoc('email')),
  code: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
});

/** `POST /admin/users` (`admin/create.ts`): no `password`, an invitation is mailed. */
export const AdminCreateUserRequest = v.strictObject({
  ...adminCreateSchema.entries,
  email: emailDoc('email'),
  password: v.optional(newPasswordDoc('password')),
});
/** `PATCH /admin/users/:id` (`admin/users.ts`). */
export const AdminUserPatchRequest = v.strictObject({
  ...adminUpdateSchema.entries,
  email: v.optional(emailDoc('email')),
});
/** `POST /admin/users/:id/sessions/revoke`: one session, or (without it) all. */
export const AdminRevokeSessionsRequest = revokeSessionsSchema;

/** Every request schema; each becomes `#/components/schemas/{name}`. */
export const REQUEST_SCHEMAS = {
  RegisterRequest,
  VerifyEmailRequest,
  ResendVerificationRequest,
  LoginRequest,
  RefreshRequest,
  ReauthenticateRequest,
  FreshnessProofRequest,
  OAuthLinkRequest,
  OAuthCallbackForm,
  UpdateProfileRequest,
  RequestEmailChangeRequest,
  ConfirmEmailChangeRequest,
  ChangePasswordRequest,
  PasswordResetRequest,
  PasswordResetConfirmRequest,
  DeleteAccountRequest,
  TotpEnrollRequest,
  CodeRequest,
  DisableTwoFactorRequest,
  RegenerateRecoveryCodesRequest,
  PhoneRequest,
  ChallengeRequest,
  VerifySecondFactorRequest,
  PasskeyRegistrationOptionsRequest,
  PasskeyRegistrationRequest,
  PasskeyLoginOptionsRequest,
  PasskeyLoginRequest,
  RenamePasskeyRequest,
  RemovePasskeyRequest,
  MagicLinkRequest,
  MagicLinkVerifyRequest,
  AdminCreateUserRequest,
  AdminUserPatchRequest,
  AdminRevokeSessionsRequest,
} as const;

/** Name of a request schema of {@link REQUEST_SCHEMAS}. */
export type RequestSchemaName = keyof typeof REQUEST_SCHEMAS;
