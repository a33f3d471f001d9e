/** One text message: a one-time code for a second factor or a phone-number check. */
export interface SmsMessage {
  /** Recipient number in E.164 (`+` and up to 15 digits, for example `+14155550123`). */
  to: string;
  /** The whole message, code included. A secret for its recipient: never log it. */
  text: string;
}

/**
 * How text messages leave the application: implement it over your provider (Twilio, Vonage,
 * an HTTP API). Portcullis writes every message itself. Shaped like `Mailer`.
 *
 * @example
 * ```ts
 * const sms: SmsSender = {
 *   async send({ to, text }) {
 *     const res = await fetch(PROVIDER_URL, { method: 'POST', body: JSON.stringify({ to, text }) });
 *     if (!res.ok) throw new Error(`SMS provider answered ${res.status}`);
 *   },
 * };
 * createAuth({ sms, ... });
 * ```
 */
export interface SmsSender {
  /**
   * Sends one message. Rejects when the provider refused it; Portcullis then logs the failure
   * (without the text) and emits `sms.failed`, and the caller's answer stays the same. Must not
   * log `text`: it holds a code.
   */
  send(message: SmsMessage): Promise<void>;
}
