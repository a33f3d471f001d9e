import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';

/**
 * The text of an SMS code. The last line is the WebOTP format (`@host #code`), with which
 * browsers offer the code to the app's own origin only.
 */
export function smsCodeText(rt: AuthRuntime, code: string): string {
  const minutes = Math.round(rt.config.twoFactor.otpTtlSeconds / 60);
  const host = new URL(rt.config.appOrigin).host;
  return `${rt.config.appName} code: ${code}. It expires in ${minutes} minutes. Never share it.\n\n@${host} #${code}`;
}

/**
 * Sends one SMS through the configured sender. A failed send is logged (without the text) and
 * emitted as `sms.failed`; it does not fail the flow, like mail.
 */
export async function sendSms(
  rt: AuthRuntime,
  message: { to: string; text: string },
  meta: { userId: string; context: RequestContext },
): Promise<void> {
  const sender = rt.config.sms;
  if (sender === undefined) return;
  try {
    await sender.send(message);
  } catch (error) {
    rt.config.logger.warn('sms failed', { userId: meta.userId, error: String(error) });
    await rt.emit({ type: 'sms.failed', userId: meta.userId }, meta.context);
  }
}
