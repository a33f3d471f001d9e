import type { SmsMessage, SmsSender } from './types.js';

/** An {@link SmsSender} that keeps every message in memory, with helpers for tests. */
export interface MemorySmsSender extends SmsSender {
  /** Every message sent since the last {@link MemorySmsSender.clear}, oldest first. */
  readonly messages: readonly SmsMessage[];
  /** The latest message, or the latest to `to`; `undefined` when none. */
  last(to?: string): SmsMessage | undefined;
  /** The first run of 6 to 8 digits in the latest message (to `to`); `undefined` when none. */
  lastCode(to?: string): string | undefined;
  /** Forgets every message. */
  clear(): void;
  /** Makes the next `send` reject with `error` (to test `sms.failed`); it is not stored. */
  failNext(error?: Error): void;
}

/**
 * An SMS sender for tests: nothing leaves the process; read the inbox instead. `createAuth`
 * refuses it in production (messages would silently go nowhere).
 *
 * @example
 * ```ts
 * const sms = memorySmsSender();
 * const auth = createAuth({ sms, ... });
 * await auth.twoFactor.phone.start({ userId, phone: '+14155550123', password });
 * await auth.twoFactor.phone.confirm({ userId, code: sms.lastCode('+14155550123')! });
 * ```
 */
export function memorySmsSender(): MemorySmsSender & { readonly developmentOnly: true } {
  let inbox: SmsMessage[] = [];
  let failure: Error | undefined;
  const last = (to?: string) => inbox.findLast((m) => to === undefined || m.to === to);
  return {
    developmentOnly: true,
    get messages() {
      return Object.freeze([...inbox]);
    },
    async send(message) {
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        throw error;
      }
      inbox.push(Object.freeze({ ...message }));
    },
    last,
    lastCode(to) {
      return /\b(\d{6,8})\b/.exec(last(to)?.text ?? '')?.[1];
    },
    clear() {
      inbox = [];
    },
    failNext(error = new Error('memorySmsSender: simulated send failure')) {
      failure = error;
    },
  };
}
