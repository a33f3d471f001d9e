/**
 * The app's own user fields (issue 19): a short `bio` and a `profilePicture` URL, declared to
 * `createAuth({ user: { fields: USER_FIELDS } })` in `app.ts`. Portcullis validates them with
 * these schemas on `POST /register` (`bio` only), `PATCH /user` and the admin API, stores them
 * in the user's `metadata`, and returns them in every user object (`null` when unset).
 *
 * The checks that JSON Schema can say (`maxLength`, the URL's `pattern`) come before the first
 * transformation of each pipe, so the OpenAPI document that the app serves describes them too
 * (core converts a field's schema up to its first transformation).
 */
import type { Auth, AuthUser, UserFieldDefinitions } from '@portcullis/core';
import * as v from 'valibot';

/** Longest bio, in UTF-16 code units (what `String#length` and `maxlength` count). */
export const BIO_MAX_LENGTH = 500;

/** Longest picture URL, in characters. */
export const PICTURE_URL_MAX_LENGTH = 2048;

/**
 * Whether `text` holds a C0 control (line breaks and tabs included), DEL or a C1 control: a bio
 * is one paragraph of text. The HTTP API refuses these in every string field it documents
 * (`test/fuzz/invalid.ts`); core refuses C0 controls and DEL in names alike.
 */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * An `http://` or `https://` URL of a host name (not an IP address, no `user:password@`), an
 * optional port, then printable ASCII (browsers percent-encode what they copy). Stricter than
 * `v.url()`, which takes `javascript:`, `data:` and any other scheme; every string it matches
 * is one that `new URL` parses, so clients generating values from the served document's
 * `pattern` make valid ones. Hence labels of letters and digits joined by single hyphens
 * (`xn--` labels must be valid Punycode, which no pattern can check: international names are
 * refused), and a last label that starts with a letter (digits would be read as an IPv4
 * address, and refused when they are not one).
 */
const PICTURE_URL =
  /^https?:\/\/(?:[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\.)*[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*(?::(?:6553[0-5]|655[0-2]\d|65[0-4]\d\d|6[0-4]\d{3}|[1-5]\d{4}|\d{1,4}))?(?:[/?#][!-~]*)?$/;

const PICTURE_MESSAGE = 'profilePicture must be an https:// or http:// address of an image';

/** The schema of `bio`: optional text, one paragraph, at most 500 characters, trimmed. */
export const bioSchema = v.optional(
  v.pipe(
    v.string('bio must be a string'),
    v.maxLength(BIO_MAX_LENGTH, `bio must be at most ${BIO_MAX_LENGTH} characters`),
    v.check(
      (text) => !hasControlCharacter(text),
      'bio cannot contain line breaks, tabs or other control characters',
    ),
    v.check((text) => !LONE_SURROGATE.test(text), 'bio is not well-formed Unicode'),
    v.trim(),
    // Only spaces: no bio (`PATCH /user` then clears it, as `null` does).
    v.transform((text) => (text === '' ? undefined : text)),
  ),
);

/**
 * The schema of `profilePicture`: optional, an `http(s)://` URL of at most 2048 characters.
 * `javascript:`, `data:` and every other scheme are refused twice: by the pattern, and by the
 * protocol of the URL as `new URL` parses it (what a browser would load).
 */
export const pictureUrlSchema = v.optional(
  v.pipe(
    v.string('profilePicture must be a string'),
    v.maxLength(
      PICTURE_URL_MAX_LENGTH,
      `profilePicture must be at most ${PICTURE_URL_MAX_LENGTH} characters`,
    ),
    v.regex(PICTURE_URL, PICTURE_MESSAGE),
    v.url(PICTURE_MESSAGE),
    v.check((url) => pictureOrigin(url) !== undefined, PICTURE_MESSAGE),
  ),
);

/**
 * The fields, as `createAuth` takes them: users write their bio when they sign up and on their
 * profile; the picture only on their profile. Admins may set both (`auth.admin.users.update`).
 */
export const USER_FIELDS = {
  bio: { schema: bioSchema, input: true, editable: true },
  profilePicture: { schema: pictureUrlSchema, editable: true },
} as const satisfies UserFieldDefinitions;

/** The app's fields, as `Auth<F>` and `AuthUser<F>` take them. */
export type AppFields = typeof USER_FIELDS;

/** The Portcullis instance of this app: its users carry `bio` and `profilePicture`. */
export type AppAuth = Auth<AppFields>;

/** A user of this app: the public user with `bio` and `profilePicture` (`null` when unset). */
export type AppUser = AuthUser<AppFields>;

/** An origin as a CSP source: scheme, a lower-case host name, an optional port. */
const ORIGIN = /^https?:\/\/[a-z0-9.-]+(?::\d{1,5})?$/;

/**
 * The origin (`https://images.example.com`) of a picture URL, for the `img-src` of the page
 * that shows it; `undefined` for anything but an `http:`/`https:` URL whose origin is a plain
 * host name (a value stored before these rules, or written to the database by hand, is not
 * shown as an image).
 */
export function pictureOrigin(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  // The origin goes into a header: only the characters a host name and port are made of.
  return ORIGIN.test(parsed.origin) ? parsed.origin : undefined;
}
