import type { SmsMessage, SmsSender } from './types.js';

/** Options of {@link consoleSmsSender}. */
export interface ConsoleSmsSenderOptions {
  /** Where each line goes. Default: standard error, so stdout stays the app's. */
  log?: (line: string) => void;
}

/**
 * An SMS sender for development: it prints every message, codes included, so you can try the
 * phone and SMS flows without a provider. `createAuth` refuses it in production, where anyone
 * who reads the logs could pass anyone's second factor.
 *
 * @example
 * ```ts
 * createAuth({ sms: consoleSmsSender(), ... })
 * ```
 */
export function consoleSmsSender(
  options: ConsoleSmsSenderOptions = {},
): SmsSender & { readonly developmentOnly: true } {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  return {
    // createAuth refuses a development sender in production: it prints codes.
    developmentOnly: true,
    async send(message: SmsMessage): Promise<void> {
      log(`--- sms to ${message.to} ---`);
      log(message.text);
      log('--- end of sms ---');
    },
  };
}
