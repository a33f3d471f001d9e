/**
 * Valibot schemas of the HTTP contract's response bodies (`docs/http.md`): the source of truth
 * of the response side of the OpenAPI document (`scripts/openapi.ts` converts them). Objects are
 * strict: a body with a key the contract does not name (a leaked `amr`, a hash) fails the
 * contract suite's check against the document.
 */
import * as v from 'valibot';
import { AUTH_ERROR_STATUS, type AuthErrorCode } from '../../errors/auth-error.js';

/** An ISO 8601 time as the API writes it (`Date#toISOString`). */
const isoTime = v.pipe(v.string(), v.isoTimestamp());
const nullableText = v.nullable(v.string());

/** `user` objects: every key always present (`null` when unset) and nothing else. */
export const User = v.strictObject({
  id: v.string(),
  email: v.string(),
  emailVerified: v.boolean(),
  username: nullableText,
  firstName: nullableText,
  lastName: nullableText,
  twoFactorEnabled: v.boolean(),
  roles: v.array(v.string()),
  createdAt: isoTime,
});

/**
 * A session as `/session` and `/sessions` show it; `expiresAt` is the earlier expiry;
 * `impersonatedBy` the admin's id for a session an admin opened by impersonation, else `null`.
 */
export const Session = v.strictObject({
  id: v.string(),
  createdAt: isoTime,
  lastSeenAt: isoTime,
  expiresAt: isoTime,
  ip: nullableText,
  userAgent: nullableText,
  current: v.boolean(),
  impersonatedBy: nullableText,
});

/** A second-factor method a challenge offers. */
export const SecondFactorMethod = v.picklist(['totp', 'email', 'sms', 'recovery', 'passkey']);

/** A signed-in `/login` or `/2fa/verify`, cookie strategy (the session cookie is set). */
export const SignedInWithCookie = v.strictObject({
  status: v.literal('signed_in'),
  user: User,
  session: v.strictObject({ id: v.string(), expiresAt: isoTime }),
});

/**
 * A signed-in `/login` or `/2fa/verify`, jwt strategy; `refreshToken` only with
 * `http.refreshTokenTransport: 'body'` (otherwise it is in the refresh cookie).
 */
export const SignedInWithTokens = v.strictObject({
  status: v.literal('signed_in'),
  user: User,
  accessToken: v.string(),
  expiresIn: v.pipe(v.number(), v.integer()),
  refreshToken: v.optional(v.string()),
});

/** A password was right but a second factor is needed: no session yet. */
export const TwoFactorRequired = v.strictObject({
  status: v.literal('two_factor_required'),
  challenge: v.string(),
  methods: v.array(SecondFactorMethod),
});

/** A completed sign-in, whichever the session strategy. */
export const SignedIn = v.union([SignedInWithCookie, SignedInWithTokens]);

/** `POST /login`: signed in, or a second factor is required. */
export const LoginResponse = v.union([SignedInWithCookie, SignedInWithTokens, TwoFactorRequired]);

/** `POST /token/refresh`: a new access token, and the rotated refresh token in the body mode. */
export const RefreshResponse = v.strictObject({
  accessToken: v.string(),
  expiresIn: v.pipe(v.number(), v.integer()),
  refreshToken: v.optional(v.string()),
});

/** An answer that only says what happened: `{"status": …}`. */
const status = <T extends string>(value: T) => v.strictObject({ status: v.literal(value) });

/** `POST /register`, `POST /email/verify/resend`. */
export const VerificationSent = status('verification_sent');
/** `POST /email/verify`. */
export const Verified = status('verified');
/** `POST /user/email`. */
export const ConfirmationSent = status('confirmation_sent');
/** `POST /password/reset`. */
export const ResetSent = status('reset_sent');
/** `POST /password/reset/confirm`. */
export const PasswordReset = status('password_reset');
/** `POST /2fa/email/send`, `POST /2fa/sms/send`, `POST /2fa/phone`. */
export const CodeSent = status('code_sent');

/** `GET /session`. */
export const SessionResponse = v.strictObject({ user: User, session: Session });
/** `GET /sessions`: live sessions, newest first. */
export const SessionList = v.strictObject({ sessions: v.array(Session) });
/** A linked provider account (`GET /oauth/accounts`). */
export const LinkedAccount = v.strictObject({
  id: v.string(),
  provider: v.string(),
  email: v.nullable(v.string()),
  createdAt: v.number(),
  lastUsedAt: v.number(),
});
/** `GET /oauth/accounts`: oldest first. */
export const LinkedAccountList = v.strictObject({ accounts: v.array(LinkedAccount) });
/** A passkey (`GET /passkeys`): no credential id, no key. */
export const Passkey = v.strictObject({
  id: v.string(),
  name: v.string(),
  createdAt: v.number(),
  lastUsedAt: v.nullable(v.number()),
  backedUp: v.boolean(),
  deviceType: v.picklist(['singleDevice', 'multiDevice']),
});
/** `GET /passkeys`: oldest first. */
export const PasskeyList = v.strictObject({ passkeys: v.array(Passkey) });
/** `POST /passkeys/register/verify`, `PATCH /passkeys/:id`. */
export const PasskeyResponse = v.strictObject({ passkey: Passkey });
/**
 * `POST /passkeys/register/options`: WebAuthn's `PublicKeyCredentialCreationOptionsJSON`, for
 * `navigator.credentials.create()` (`@simplewebauthn/browser`'s `startRegistration`).
 */
export const PasskeyCreationOptions = v.looseObject({
  rp: v.looseObject({ name: v.string(), id: v.optional(v.string()) }),
  user: v.looseObject({ id: v.string(), name: v.string(), displayName: v.string() }),
  challenge: v.string(),
  pubKeyCredParams: v.array(v.looseObject({ alg: v.number(), type: v.string() })),
});
/**
 * `POST /passkeys/login/options`: the `challengeId` to send back, and WebAuthn's
 * `PublicKeyCredentialRequestOptionsJSON` for `navigator.credentials.get()`.
 */
export const PasskeyLoginOptions = v.strictObject({
  challengeId: v.string(),
  options: v.looseObject({ challenge: v.string(), rpId: v.optional(v.string()) }),
});
/** `POST /2fa/passkey/options`: WebAuthn options for answering a challenge with a passkey. */
export const PasskeyFactorOptions = v.strictObject({
  options: v.looseObject({ challenge: v.string(), rpId: v.optional(v.string()) }),
});
/** A user as the admin API shows it. */
export const AdminUser = v.strictObject({
  ...User.entries,
  disabled: v.boolean(),
  hasPassword: v.boolean(),
  lastLoginAt: v.nullable(isoTime),
});
/** `GET /admin/users`. */
export const AdminUserList = v.strictObject({
  users: v.array(AdminUser),
  nextCursor: v.nullable(v.string()),
});
/** `POST /admin/users`, `PATCH /admin/users/:id`. */
export const AdminUserResponse = v.strictObject({ user: AdminUser });
/** `POST /admin/sessions/revoke-all`. */
export const AdminSessionsRevoked = v.strictObject({
  sessionsEnded: v.pipe(v.number(), v.integer()),
  users: v.pipe(v.number(), v.integer()),
});
/** `GET /admin/users/:id`. */
export const AdminUserDetail = v.strictObject({
  user: AdminUser,
  sessions: v.array(Session),
  accounts: v.array(LinkedAccount),
  passkeys: v.array(Passkey),
  twoFactor: v.strictObject({
    enabled: v.boolean(),
    methods: v.array(SecondFactorMethod),
    recoveryCodesLeft: v.number(),
  }),
  locks: v.strictObject({ signIn: v.nullable(isoTime), secondFactor: v.nullable(isoTime) }),
});
/** An event of `GET /admin/audit`. */
export const AdminAuditEvent = v.strictObject({
  sequence: v.number(),
  type: v.string(),
  at: isoTime,
  userId: v.string(),
  sessionId: nullableText,
  ip: nullableText,
  userAgent: nullableText,
  data: v.record(v.string(), v.unknown()),
});
/** `GET /admin/audit`. */
export const AdminAuditLog = v.strictObject({
  events: v.array(AdminAuditEvent),
  nextCursor: v.nullable(v.string()),
});
/** `POST /magic-link`. */
export const LinkSent = status('link_sent');
/** `POST /oauth/:provider/link`: where to send the browser. */
export const OAuthRedirect = v.strictObject({ url: v.string() });
/** `GET /csrf`: the token, also set as the CSRF cookie. */
export const CsrfResponse = v.strictObject({ csrfToken: v.string() });

/** A public JSON Web Key (RFC 7517): Portcullis publishes `kid`, `alg` and `use: sig` too. */
export const PublicJwk = v.looseObject({
  kty: v.string(),
  kid: v.string(),
  alg: v.string(),
  use: v.literal('sig'),
});
/** `GET /jwks.json`: the access-token verification keys, current first. */
export const Jwks = v.strictObject({ keys: v.array(PublicJwk) });

/** `GET /user`, `PATCH /user`, `POST /user/email/confirm`. */
export const UserResponse = v.strictObject({ user: User });

/** One security event of `GET /audit`. */
export const AuditEvent = v.strictObject({
  type: v.string(),
  at: isoTime,
  ip: nullableText,
  userAgent: nullableText,
});
/** `GET /audit`: newest first. */
export const AuditLog = v.strictObject({ events: v.array(AuditEvent) });

/** `POST /2fa/totp/enroll`: shown once, to its owner; not active until confirmed. */
export const TotpEnrollment = v.strictObject({ secret: v.string(), otpauthUri: v.string() });
/** `POST /2fa/totp/confirm`, `POST /2fa/recovery-codes`: shown once. */
export const RecoveryCodes = v.strictObject({ recoveryCodes: v.array(v.string()) });

/** A trusted device as `GET /2fa/devices` shows it. */
export const TrustedDevice = v.strictObject({
  id: v.string(),
  createdAt: isoTime,
  lastUsedAt: isoTime,
  expiresAt: isoTime,
  userAgent: nullableText,
  current: v.boolean(),
});
/** `GET /2fa/devices`. */
export const TrustedDeviceList = v.strictObject({ devices: v.array(TrustedDevice) });

/** `GET /openapi.json`: an OpenAPI 3.1 document (this one). */
export const OpenApiDocument = v.looseObject({
  openapi: v.string(),
  info: v.looseObject({ title: v.string(), version: v.string() }),
  paths: v.record(v.string(), v.unknown()),
});

/** One field-level problem of `VALIDATION_FAILED` or `WEAK_PASSWORD`. */
export const ErrorDetail = v.strictObject({ path: v.string(), message: v.string() });

/**
 * Codes that never reach an HTTP answer: `CONFIG_INVALID` is thrown at startup (and any 5xx
 * but `STORAGE_UNAVAILABLE` is answered as `INTERNAL`). `CONFLICT` is sent by the admin API
 * only (an email that belongs to another user); elsewhere core turns a store's conflict into
 * `USERNAME_TAKEN` or register's neutral answer.
 */
const NEVER_SENT = ['CONFIG_INVALID'] as const satisfies readonly AuthErrorCode[];

/** A code an HTTP answer can carry. */
export type SentErrorCode = Exclude<AuthErrorCode, (typeof NEVER_SENT)[number]>;

/**
 * The codes an HTTP answer can carry, in the order of `AuthErrorCode`: every code but
 * `NEVER_SENT`, so a new code reaches the document and the client's list by itself.
 */
export const SENT_ERROR_CODES: readonly SentErrorCode[] = (
  Object.keys(AUTH_ERROR_STATUS) as AuthErrorCode[]
).filter((code): code is SentErrorCode => !(NEVER_SENT as readonly string[]).includes(code));

/** The contract's error body: `{"error": {"code", "message", "details"?}}`. */
export const ErrorBody = v.strictObject({
  error: v.strictObject({
    code: v.picklist(SENT_ERROR_CODES),
    message: v.string(),
    details: v.optional(v.array(ErrorDetail)),
  }),
});

/**
 * What narrows {@link ErrorBody} for one status of one route: `code` is one of `codes`. The
 * document combines the two with `allOf`.
 */
export function errorCodes(codes: readonly [AuthErrorCode, ...AuthErrorCode[]]) {
  return v.object({ error: v.object({ code: v.picklist(codes) }) });
}

/** Every named response schema; each becomes `#/components/schemas/{name}`. */
export const RESPONSE_SCHEMAS = {
  User,
  Session,
  SecondFactorMethod,
  SignedInWithCookie,
  SignedInWithTokens,
  TwoFactorRequired,
  SignedIn,
  LoginResponse,
  RefreshResponse,
  VerificationSent,
  Verified,
  ConfirmationSent,
  ResetSent,
  PasswordReset,
  CodeSent,
  SessionResponse,
  SessionList,
  LinkedAccount,
  LinkedAccountList,
  OAuthRedirect,
  Passkey,
  PasskeyList,
  PasskeyResponse,
  PasskeyCreationOptions,
  PasskeyLoginOptions,
  PasskeyFactorOptions,
  LinkSent,
  AdminUser,
  AdminUserList,
  AdminUserResponse,
  AdminSessionsRevoked,
  AdminUserDetail,
  AdminAuditEvent,
  AdminAuditLog,
  CsrfResponse,
  PublicJwk,
  Jwks,
  UserResponse,
  AuditEvent,
  AuditLog,
  TotpEnrollment,
  RecoveryCodes,
  TrustedDevice,
  TrustedDeviceList,
  OpenApiDocument,
  ErrorDetail,
  ErrorBody,
} as const;

/** Name of a response schema of {@link RESPONSE_SCHEMAS}. */
export type ResponseSchemaName = keyof typeof RESPONSE_SCHEMAS;
