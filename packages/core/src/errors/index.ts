export type { AuthErrorCode, AuthErrorDetail, AuthErrorOptions } from './auth-error.js';
export { AUTH_ERROR_MESSAGES, AUTH_ERROR_STATUS, AuthError, isAuthError } from './auth-error.js';
