/** Password reset (mailed link) and change (signed in). */

export type { ChangePasswordInput } from './change.js';
export { changePassword } from './change.js';
export { requestPasswordReset, resetPassword } from './reset.js';
