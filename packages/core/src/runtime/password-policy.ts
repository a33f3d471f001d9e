import type { ResolvedConfig } from '../config/resolve.js';
import { AuthError } from '../errors/auth-error.js';
import {
  checkPassword,
  type PasswordCheckOptions,
  type PasswordContext,
} from '../password/policy.js';
import type { AuthRuntime } from './context.js';

/** The policy options of the configuration, for one user's context and one field name. */
export function policyOptions(
  config: ResolvedConfig,
  options: { context: PasswordContext; field?: string },
): PasswordCheckOptions {
  return {
    minLength: config.password.minLength,
    maxLength: config.password.maxLength,
    blocklist: config.password.blocklist,
    extraBlockedWords: config.password.extraBlockedWords,
    appName: config.appName,
    context: options.context,
    field: options.field ?? 'password',
  };
}

/**
 * Checks a new password against the configured policy.
 * @throws AuthError `WEAK_PASSWORD` with one detail per broken rule (never the password).
 */
export function assertPasswordAllowed(
  rt: AuthRuntime,
  password: string,
  options: { context: PasswordContext; field?: string },
): void {
  const result = checkPassword(password, policyOptions(rt.config, options));
  if (!result.ok) throw new AuthError('WEAK_PASSWORD', { details: result.details });
}
