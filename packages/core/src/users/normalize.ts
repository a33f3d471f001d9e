/**
 * Email and username normalization. Core computes every normalized value; stores compare
 * them exactly (a unique index on `emailNormalized` is what "case-insensitive unique email"
 * means), so JavaScript alone decides what counts as the same address.
 */

/** Longest accepted email address (RFC 5321 path limit). */
export const MAX_EMAIL_LENGTH = 254;

// One "@", a non-empty local part without spaces, a dotted domain. Deliberately simple: the
// verification mail is the real test of an address.
const EMAIL = /^[^\s@"<>()[\]\\,;:]+@[^\s@"<>()[\]\\,;:]+\.[^\s@"<>()[\]\\,;:.]{2,}$/u;

/** An email as typed (trimmed, NFKC) and its normalized form for uniqueness and lookups. */
export interface NormalizedEmail {
  /** Trimmed and NFKC-normalized: the address mail goes to and users see. */
  readonly email: string;
  /** `email` lower-cased: what uniqueness and lookups compare. */
  readonly emailNormalized: string;
}

/** Normalizes an email (trim, NFKC, lower-case for uniqueness); `undefined` when invalid. */
export function normalizeEmail(raw: string): NormalizedEmail | undefined {
  const email = raw.trim().normalize('NFKC');
  if (email.length === 0 || email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) return undefined;
  return { email, emailNormalized: email.toLowerCase() };
}

/** Usernames: 3 to 32 letters, digits, `.`, `_` or `-`, starting with a letter or digit. */
const USERNAME = /^[\p{L}\p{N}][\p{L}\p{N}._-]{2,31}$/u;

/** A username as chosen and its normalized form. */
export interface NormalizedUsername {
  /** NFKC form as chosen (case kept for display). */
  readonly username: string;
  /** Lower-cased: what uniqueness and sign-in compare. */
  readonly usernameNormalized: string;
}

/**
 * Normalizes a username (trim, NFKC, lower-case for uniqueness); `undefined` when it breaks
 * the rules. A username never contains `@`, so an identifier at sign-in is an email exactly
 * when it contains one.
 */
export function normalizeUsername(raw: string): NormalizedUsername | undefined {
  const username = raw.trim().normalize('NFKC');
  if (!USERNAME.test(username)) return undefined;
  return { username, usernameNormalized: username.toLowerCase() };
}

/** The normalized lookup key of a sign-in identifier (email or username), for throttling too. */
export function normalizeIdentifier(raw: string): { kind: 'email' | 'username'; key: string } {
  const trimmed = raw.trim().normalize('NFKC').toLowerCase();
  return { kind: trimmed.includes('@') ? 'email' : 'username', key: trimmed };
}
