import * as v from 'valibot';
import { AuthError } from '../errors/auth-error.js';

/**
 * Validates a flow's input once, at the boundary. Failures become `VALIDATION_FAILED` with one
 * detail per field; the messages name the field and never echo its value (it may be a password).
 */
export function parseInput<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  if (result.success) return result.output;
  throw new AuthError('VALIDATION_FAILED', {
    details: result.issues.map((issue) => ({
      path: v.getDotPath(issue) ?? '(input)',
      message: issue.message,
    })),
  });
}

/**
 * A string field: required, at most `max` characters, no control character (C0, DEL) and no
 * unpaired UTF-16 surrogate. Refused here, before any store is touched: a NUL byte reaching
 * PostgreSQL would be a driver error, and a lone surrogate becomes U+FFFD on the way to UTF-8.
 */
export const text = (name: string, max: number) =>
  v.pipe(
    v.string(`${name} must be a string`),
    v.minLength(1, `${name} is required`),
    v.maxLength(max, `${name} is too long`),
    v.check((s) => !hasControlCharacter(s), `${name} contains control characters`),
    v.check((s) => !hasLoneSurrogate(s), `${name} is not well-formed Unicode`),
  );

/**
 * A password as submitted: up to 1024 characters of any kind (policy applies separately) but
 * NUL and unpaired UTF-16 surrogates, which hashing would not keep apart (a lone surrogate
 * becomes U+FFFD in UTF-8, so two different inputs would verify alike).
 */
export const passwordField = (name = 'password') =>
  v.pipe(
    v.string(`${name} must be a string`),
    v.minLength(1, `${name} is required`),
    v.maxLength(1024, `${name} is too long`),
    v.check((s) => !s.includes('\u0000'), `${name} contains a NUL character`),
    v.check((s) => !hasLoneSurrogate(s), `${name} is not well-formed Unicode`),
  );

/** An optional name field: trimmed, up to 100 characters. */
export const nameField = (name: string) =>
  v.optional(
    v.pipe(
      v.string(`${name} must be a string`),
      v.trim(),
      v.maxLength(100, `${name} is too long`),
      v.check((s) => !hasControlCharacter(s), `${name} contains control characters`),
      v.check((s) => !hasLoneSurrogate(s), `${name} is not well-formed Unicode`),
    ),
  );

/** True when `text` holds a C0 control character or DEL (they have no place in a name). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` holds a UTF-16 surrogate without its pair (not well-formed Unicode). */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}
