import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';

/**
 * Reports a signed-in user naming someone else's session or trusted device (OWASP ASVS
 * 16.3.2): `userId` is the one who asked. Listeners and the log only, never the asker's audit
 * trail (which they can read: it would tell an existing id from an unknown one), and not
 * awaited, so the `NOT_FOUND` answer takes as long as for an unknown id. Budgeted.
 */
export function reportForeignAccess(
  rt: AuthRuntime,
  access: {
    type: 'session.foreign_access' | 'trusted_device.foreign_access';
    userId: string;
    sessionId?: string | undefined;
    data: { action: string; deviceId?: string };
    context: RequestContext;
  },
): void {
  const { context, ...input } = access;
  // The emitter logs its own failures; this catch only keeps a throwing logger from becoming
  // an unhandled rejection.
  rt.emit({ ...input, audit: false }, context).catch(() => undefined);
}
