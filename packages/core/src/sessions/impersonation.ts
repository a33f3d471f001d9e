/**
 * How long an impersonation lasts, in seconds (`auth.admin.users.impersonate`): one hour from
 * its start, whatever its activity. It is the session's absolute expiry, which touches and
 * refreshes never move.
 */
export const IMPERSONATION_SECONDS = 3600;
