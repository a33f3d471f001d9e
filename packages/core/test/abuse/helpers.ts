import type { Auth, RequestContext } from '../../src/index.js';
import { CTX } from '../flows/helpers.js';

export const WRONG = 'amber falcon quarry';

/** The error an auth call rejected with, as plain fields. */
export interface Refusal {
  readonly name: string;
  readonly code: string;
  readonly status: number;
  readonly message: string;
  readonly retryAfterSeconds: number | undefined;
  readonly json: string;
}

/** Describes a thrown AuthError field by field. */
export function describeError(e: unknown): Refusal {
  const error = e as Refusal & { toJSON(): unknown };
  return {
    name: error.name,
    code: error.code,
    status: error.status,
    message: error.message,
    retryAfterSeconds: error.retryAfterSeconds,
    json: JSON.stringify(error.toJSON()),
  };
}

/** One sign-in attempt; resolves to its refusal, or to the status of its success. */
export async function attempt(
  auth: Auth,
  identifier: string,
  password: string,
  context: RequestContext = CTX,
): Promise<Refusal | 'signed_in' | 'two_factor_required'> {
  try {
    return (await auth.login({ identifier, password }, context)).status;
  } catch (e) {
    return describeError(e);
  }
}

/** `count` wrong-password attempts in a row; resolves to their outcomes. */
export async function wrongTimes(
  auth: Auth,
  identifier: string,
  count: number,
  context: RequestContext = CTX,
): Promise<(Refusal | string)[]> {
  const out: (Refusal | string)[] = [];
  for (let i = 0; i < count; i++) out.push(await attempt(auth, identifier, WRONG, context));
  return out;
}

/** The code of an outcome (`'signed_in'` for a success). */
export const codeOf = (outcome: Refusal | string): string =>
  typeof outcome === 'string' ? outcome : outcome.code;
