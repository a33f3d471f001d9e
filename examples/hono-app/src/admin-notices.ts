/**
 * The flash messages of the admin area (`?notice=<key>`), merged into the layout's notices.
 * Keys, never texts, travel in URLs: nobody can craft a link that makes the app say something
 * it does not say. No imports here, so the layout can take them without a cycle.
 */
export const ADMIN_NOTICES = {
  'admin-user-disabled':
    'The user is disabled: every session of theirs ended, and they cannot sign in.',
  'admin-user-enabled': 'The user is enabled: they can sign in again.',
  'admin-role-granted': 'The role is granted.',
  'admin-role-revoked': 'The role is taken away.',
  'admin-session-revoked': 'That session of the user is signed out.',
  'admin-sessions-revoked': 'Every session of the user is signed out.',
  'admin-user-unlocked': 'The sign-in and second-factor locks of the user are lifted.',
  'admin-two-factor-reset':
    'The second factor of the user is off and their sessions ended; they were mailed a notice.',
  'admin-reset-link-sent': 'A password reset link is on its way to the user.',
  'admin-user-deleted': 'The user and everything tied to them are deleted.',
  'admin-impersonation-stopped': 'The impersonation is over: you are signed in as yourself again.',
} as const;
