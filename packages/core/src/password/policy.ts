import { sha1 } from '@noble/hashes/legacy.js';
import { toHex, utf8 } from '../crypto/encoding.js';
import type { AuthErrorDetail } from '../errors/auth-error.js';
import { AuthError } from '../errors/auth-error.js';
import {
  commonPasswords,
  containsAny,
  contextWordsOf,
  foldedWords,
  isRepetitive,
  isSequential,
  userContextWords,
} from './blocklist.js';

/** Options of the breached-password check (Have I Been Pwned's k-anonymity range API). */
export interface BreachedPasswordCheckOptions {
  /** The fetch to use; inject one in tests. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Milliseconds before the check gives up and the password is accepted. Default 3000. */
  timeoutMs?: number;
}

/** The password rules (NIST SP 800-63B 5.1.1.2). No composition rules, by design. */
export interface PasswordPolicyOptions {
  /** Fewest characters (Unicode code points after NFKC). Default 8. */
  minLength?: number;
  /** Most characters (Unicode code points after NFKC). Default 256. */
  maxLength?: number;
  /**
   * Refuse listed passwords (case-insensitive, after NFKC). `true`: the built-in list of about
   * 49,000 common passwords; an iterable: that list instead (read once per iterable object);
   * `false`: none. Default `true`.
   */
  blocklist?: boolean | Iterable<string>;
  /** More refused passwords, added to whatever `blocklist` selects. Default none. */
  extraBlockedWords?: Iterable<string>;
  /**
   * Refuse passwords that contain the user's email, its local part, username, first or last
   * name, or `appName` (each word of at least 4 code points, case-insensitive). Default `true`.
   */
  contextWords?: boolean;
  /** The application's name, refused inside passwords when `contextWords` is on. Default none. */
  appName?: string;
  /**
   * Also ask Have I Been Pwned whether the password appeared in a breach, sending only the
   * first 5 hex digits of its SHA-1. Only {@link checkPasswordAsync} runs it; network failures
   * accept the password with a warning. Default off.
   */
  breachedPasswordCheck?: BreachedPasswordCheckOptions | false;
}

/** What is known about the user, so their own data is refused inside their password. */
export interface PasswordContext {
  email?: string | undefined;
  username?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
}

/** Options of one {@link checkPassword} call: the policy plus who chooses the password. */
export interface PasswordCheckOptions extends PasswordPolicyOptions {
  /** The user the password is for. Default none. */
  context?: PasswordContext;
  /** Path of the field in `details`, for example `newPassword`. Default `password`. */
  field?: string;
}

/** Why a password was refused: one per failed rule, in `details` order. */
export type PasswordRejectionReason =
  | 'too_short'
  | 'too_long'
  | 'common'
  | 'repetitive'
  | 'sequential'
  | 'context'
  | 'app_name'
  | 'breached';

/**
 * The outcome of a check. When refused, `details` (field path and a message safe for the user,
 * never the password) go into a `WEAK_PASSWORD` error; `reasons` are the stable codes to branch on.
 */
export type PasswordPolicyResult =
  | { readonly ok: true; readonly warnings?: readonly string[] }
  | {
      readonly ok: false;
      readonly reasons: readonly PasswordRejectionReason[];
      readonly details: readonly AuthErrorDetail[];
    };

const DEFAULT_MIN_LENGTH = 8;
const DEFAULT_MAX_LENGTH = 256;

const MESSAGES: Record<PasswordRejectionReason, (o: PasswordCheckOptions) => string> = {
  too_short: (o) => `Use at least ${o.minLength ?? DEFAULT_MIN_LENGTH} characters.`,
  too_long: (o) => `Use at most ${o.maxLength ?? DEFAULT_MAX_LENGTH} characters.`,
  common: () => 'This password is too common. Choose a less common one.',
  repetitive: () => 'Avoid repeating the same characters.',
  sequential: () => 'Avoid runs of consecutive letters or digits.',
  context: () => 'Do not use your email address, username or name in your password.',
  app_name: () => 'Do not use the name of this service in your password.',
  breached: () => 'This password has appeared in a data breach. Choose a different one.',
};

function refuse(
  reasons: PasswordRejectionReason[],
  options: PasswordCheckOptions,
): PasswordPolicyResult {
  const path = options.field ?? 'password';
  return {
    ok: false,
    reasons,
    details: reasons.map((r) => ({ path, message: MESSAGES[r](options) })),
  };
}

/**
 * The form of a password that Portcullis checks and hashes: Unicode NFKC (NIST SP 800-63B
 * 5.1.1.2), so one password typed on two keyboards (composed "é" or "e" + U+0301, fullwidth
 * letters) hashes the same.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/**
 * Checks a new password against the policy, synchronously (no breach check; see
 * {@link checkPasswordAsync}). Every failed rule gives one detail; none repeats the password.
 *
 * @example
 * ```ts
 * const result = checkPassword(input.password, { context: { email: input.email } });
 * if (!result.ok) throw new AuthError('WEAK_PASSWORD', { details: result.details });
 * ```
 */
export function checkPassword(
  password: string,
  options: PasswordCheckOptions,
): PasswordPolicyResult {
  const normalized = normalizePassword(password);
  // 800-63B counts each Unicode code point as one character, not each UTF-16 unit.
  const codePoints = [...normalized];
  const reasons: PasswordRejectionReason[] = [];
  if (codePoints.length > (options.maxLength ?? DEFAULT_MAX_LENGTH)) {
    // Nothing else is worth computing on an over-long input; it is refused either way.
    reasons.push('too_long');
  } else {
    if (codePoints.length < (options.minLength ?? DEFAULT_MIN_LENGTH)) reasons.push('too_short');
    reasons.push(...contentReasons(normalized.toLowerCase(), options));
  }
  return reasons.length === 0 ? { ok: true } : refuse(reasons, options);
}

function contentReasons(folded: string, options: PasswordCheckOptions): PasswordRejectionReason[] {
  const reasons: PasswordRejectionReason[] = [];
  const blocklist = options.blocklist ?? true;
  const listed =
    (blocklist === true && commonPasswords().has(folded)) ||
    (blocklist !== true && blocklist !== false && foldedWords(blocklist).has(folded)) ||
    (options.extraBlockedWords !== undefined && foldedWords(options.extraBlockedWords).has(folded));
  if (listed) reasons.push('common');
  const codePoints = [...folded];
  if (isRepetitive(codePoints)) reasons.push('repetitive');
  else if (isSequential(codePoints)) reasons.push('sequential');
  if (options.contextWords ?? true) {
    if (containsAny(folded, userContextWords(options.context ?? {}))) reasons.push('context');
    if (containsAny(folded, contextWordsOf(options.appName))) reasons.push('app_name');
  }
  return reasons;
}

/**
 * {@link checkPassword}, then, when `breachedPasswordCheck` is set and the password passed,
 * a k-anonymity range query to Have I Been Pwned: only the first 5 hex digits of the SHA-1 of
 * the normalized password leave the process, with `Add-Padding: true` so the response size
 * does not reveal the prefix either. A network failure, a timeout or an unexpected status
 * fails open: the password is accepted and `warnings` says the check did not run.
 */
export async function checkPasswordAsync(
  password: string,
  options: PasswordCheckOptions,
): Promise<PasswordPolicyResult> {
  const result = checkPassword(password, options);
  const breach = options.breachedPasswordCheck;
  if (!result.ok || breach === undefined || breach === false) return result;
  const found = await isBreached(normalizePassword(password), breach);
  if (found === undefined) {
    return { ok: true, warnings: [BREACH_CHECK_UNAVAILABLE] };
  }
  return found ? refuse(['breached'], options) : result;
}

const BREACH_CHECK_UNAVAILABLE =
  'The breached-password check did not answer; the password was accepted without it.';
const RANGE_API = 'https://api.pwnedpasswords.com/range/';

/** True when listed, false when not, `undefined` when the service could not say. */
async function isBreached(
  normalized: string,
  options: BreachedPasswordCheckOptions,
): Promise<boolean | undefined> {
  const digest = toHex(sha1(utf8(normalized))).toUpperCase();
  const prefix = digest.slice(0, 5);
  const suffix = digest.slice(5);
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A fetch that ignores the abort signal must not hold the registration up: race it too.
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(undefined);
    }, options.timeoutMs ?? 3000);
  });
  const lookup = (async () => {
    const response = await (options.fetch ?? fetch)(RANGE_API + prefix, {
      headers: { 'Add-Padding': 'true' },
      signal: controller.signal,
    });
    if (!response.ok) return undefined;
    const body = await response.text();
    // Lines are "SUFFIX:COUNT"; padding lines have a count of 0 and match nothing real.
    return body.split('\n').some((line) => {
      const [candidate, count] = line.trim().split(':');
      return candidate?.toUpperCase() === suffix && Number(count) > 0;
    });
  })().catch(() => undefined);
  try {
    return await Promise.race([lookup, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The password settings of a resolved configuration (`createAuth`'s `password` options and
 * `appName`), as the policy reads them.
 */
export interface PasswordSettings {
  readonly appName: string;
  readonly password: Pick<
    PasswordPolicyOptions,
    'minLength' | 'maxLength' | 'blocklist' | 'extraBlockedWords'
  >;
}

/** The policy options of the configuration, for one user's context and one field name. */
export function policyOptions(
  settings: PasswordSettings,
  options: { context: PasswordContext; field?: string },
): PasswordCheckOptions {
  const { password } = settings;
  return {
    ...(password.minLength === undefined ? {} : { minLength: password.minLength }),
    ...(password.maxLength === undefined ? {} : { maxLength: password.maxLength }),
    ...(password.blocklist === undefined ? {} : { blocklist: password.blocklist }),
    ...(password.extraBlockedWords === undefined
      ? {}
      : { extraBlockedWords: password.extraBlockedWords }),
    appName: settings.appName,
    context: options.context,
    field: options.field ?? 'password',
  };
}

/**
 * Checks a new password against the configured policy.
 * @throws AuthError `WEAK_PASSWORD` with one detail per broken rule (never the password).
 */
export function assertPasswordAllowed(
  settings: PasswordSettings,
  password: string,
  options: { context: PasswordContext; field?: string },
): void {
  const result = checkPassword(password, policyOptions(settings, options));
  if (!result.ok) throw new AuthError('WEAK_PASSWORD', { details: result.details });
}
