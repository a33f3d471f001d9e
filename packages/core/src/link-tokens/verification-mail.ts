import type { RequestContext } from '../events/types.js';
import { buildLink } from '../mail/link.js';
import type { AuthRuntime } from '../runtime/context.js';
import { TOKEN_PURPOSES } from '../storage/purposes.js';
import type { UserRecord } from '../storage/types/users.js';
import { issueLinkToken } from './link-token.js';

/**
 * Issues a verification token for the user's current address, then mails its link (awaited, in
 * that order: callers run it in the background, `flows/background.ts`). The token's payload pins
 * the address, so a link mailed before an email change cannot verify the new one.
 */
export async function sendVerificationMail(
  rt: AuthRuntime,
  user: UserRecord,
  context: RequestContext,
): Promise<void> {
  const { tokenTtlSeconds, path } = rt.config.emailVerification;
  const token = await issueLinkToken(rt, {
    purpose: TOKEN_PURPOSES.verifyEmail,
    userId: user.id,
    ttlSeconds: tokenTtlSeconds,
    payload: { emailNormalized: user.emailNormalized },
  });
  await rt.sendMail(
    'verify-email',
    user.email,
    {
      appName: rt.config.appName,
      // No name: the address is not verified yet, and whoever registered chose the name (a
      // URL there would reach a stranger's inbox as clickable text).
      link: buildLink(rt.config.appUrl, path, token),
      expiresInMinutes: Math.round(tokenTtlSeconds / 60),
    },
    { userId: user.id, context },
  );
  await rt.emit({ type: 'email.verification_sent', userId: user.id }, context);
}
