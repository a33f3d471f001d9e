import { COMMON_PASSWORDS } from './common-passwords.js';

/**
 * The case-folded form every comparison of the policy uses: NFKC, then lower case (locale
 * independent), so "ＰＡＳＳＷＯＲＤ" and "Password" meet "password" in the list.
 */
export function foldForComparison(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

let builtIn: ReadonlySet<string> | undefined;

/**
 * The built-in common-password list as a Set, built on first use and kept: splitting ~49,000
 * entries costs a few milliseconds, which importing core should not pay when no one checks a
 * password.
 */
export function commonPasswords(): ReadonlySet<string> {
  builtIn ??= new Set(COMMON_PASSWORDS.split('\n'));
  return builtIn;
}

// An integrator's list is folded once per iterable object, not on every check.
const folded = new WeakMap<object, ReadonlySet<string>>();

/**
 * An integrator's word list, folded like the built-in one. The list is read on first use and
 * cached by identity: pass a new iterable to change it, do not mutate the one given.
 */
export function foldedWords(words: Iterable<string>): ReadonlySet<string> {
  // A string is an Iterable<string> of its characters; whoever passes one means one word.
  if (typeof words === 'string') return new Set([foldForComparison(words)]);
  const cached = folded.get(words);
  if (cached !== undefined) return cached;
  const set = new Set<string>();
  for (const word of words) {
    const f = foldForComparison(word);
    if (f !== '') set.add(f);
  }
  folded.set(words, set);
  return set;
}

/** Context words shorter than this (in code points) would refuse too many good passwords. */
export const MIN_CONTEXT_WORD_LENGTH = 4;

const SEPARATORS = /[\s._+\-@'’,]+/u;

/**
 * The words a password must not contain, from one context value (a name, a username, the app
 * name): the value, the value without separators ("mary ann" also as "maryann") and each part,
 * folded, keeping those of at least {@link MIN_CONTEXT_WORD_LENGTH} code points.
 */
export function contextWordsOf(value: string | undefined): string[] {
  if (value === undefined) return [];
  const f = foldForComparison(value).trim();
  const parts = f.split(SEPARATORS);
  const words = [f, parts.join(''), ...parts];
  return [...new Set(words)].filter((w) => [...w].length >= MIN_CONTEXT_WORD_LENGTH);
}

/**
 * Context words of an email address: the whole address, its local part and the parts of the
 * local part ("john.smith+news" gives "john", "smith" and "news"). The domain alone is left
 * out: a shared provider's name ("gmail") says nothing about this user.
 */
export function emailContextWords(email: string | undefined): string[] {
  if (email === undefined) return [];
  const f = foldForComparison(email).trim();
  const at = f.lastIndexOf('@');
  const local = at > 0 ? f.slice(0, at) : f;
  const words = [f, ...contextWordsOf(local)];
  return [...new Set(words)].filter((w) => [...w].length >= MIN_CONTEXT_WORD_LENGTH);
}

/** Context words of a user: email (see {@link emailContextWords}), username and names. */
export function userContextWords(context: {
  email?: string | undefined;
  username?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
}): string[] {
  return [
    ...emailContextWords(context.email),
    ...contextWordsOf(context.username),
    ...contextWordsOf(context.firstName),
    ...contextWordsOf(context.lastName),
  ];
}

/** True when `folded` contains any of `words` (both already folded). */
export function containsAny(folded: string, words: readonly string[]): boolean {
  return words.some((word) => folded.includes(word));
}

/**
 * True when the password is one short unit repeated: "aaaaaaaa", "abababab", "123123123".
 * NIST SP 800-63B 5.1.1.2 lists "repetitive or sequential characters" among the values to
 * refuse; a unit of up to 3 code points repeated has almost no entropy whatever its length.
 */
export function isRepetitive(codePoints: readonly string[]): boolean {
  if (codePoints.length < 3) return false;
  for (let unit = 1; unit <= 3; unit++) {
    if (codePoints.length < unit * 2) break;
    if (codePoints.every((c, i) => c === codePoints[i % unit])) return true;
  }
  return false;
}

const DIGITS = '0123456789';
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/**
 * True when the whole (folded) password is a run of consecutive digits or letters, upwards or
 * downwards: "12345678", "abcdefgh", "87654321". Digits wrap ("7890123"), as on a keyboard
 * row; letters do not.
 */
export function isSequential(codePoints: readonly string[]): boolean {
  if (codePoints.length < 3) return false;
  for (const [alphabet, wraps] of [
    [DIGITS, true],
    [LETTERS, false],
  ] as const) {
    const positions = codePoints.map((c) => alphabet.indexOf(c));
    if (positions.some((p) => p < 0)) continue;
    for (const step of [1, -1]) {
      const next = (p: number) =>
        wraps ? (p + step + alphabet.length) % alphabet.length : p + step;
      if (positions.every((p, i) => i === 0 || p === next(positions[i - 1] as number))) return true;
    }
  }
  return false;
}
