import type { LoginResult, WebAuthnCeremonies } from '@portcullis/client';

/**
 * The WebAuthn ceremonies of the app's client (`createAuthClient`'s `webauthn` option, in
 * `auth.ts`): `@simplewebauthn/browser`'s, loaded on the first passkey ceremony as the client's
 * default would be, plus what the sign-in page needs and the client cannot do: stop a passkey
 * autofill request ({@link passkeyAutofill}).
 *
 * Why here: `client.passkeys.signIn({ autofill: true })` takes no AbortSignal, and its
 * `navigator.credentials.get()` waits until the person picks a passkey. A browser runs one
 * WebAuthn request at a time, so that request must end when the person signs in another way or
 * leaves the page. The library's `WebAuthnAbortService.cancelCeremony()` ends it, but only once
 * it has begun: the client fetches the options first, and a stop during that fetch would miss,
 * leaving a request that begins after the page is gone. So the ceremony asks the autofill
 * request whether it was stopped before it begins, and never begins a stopped one.
 */
type Library = typeof import('@simplewebauthn/browser');
type AuthenticationInput = Parameters<Library['startAuthentication']>[0];
type RegistrationInput = Parameters<Library['startRegistration']>[0];

/** The library once loaded: `stop` must reach its abort service at once. */
let library: Library | undefined;
let loading: Promise<Library> | undefined;

function load(): Promise<Library> {
  loading ??= import('@simplewebauthn/browser').then(
    (loaded) => (library = loaded),
    (error: unknown) => {
      loading = undefined; // offline for a moment: the next ceremony tries again
      throw error;
    },
  );
  return loading;
}

/** One autofill request: stopped by the page, waiting in the browser, a passkey picked. */
interface Attempt {
  stopped: boolean;
  waiting: boolean;
  picked: boolean;
  /** Lets the next request start: this one's ceremony has asked the gate, or it ended. */
  release(): void;
}

/** The autofill request whose ceremony is about to ask the gate: one at a time. */
let running: Attempt | undefined;
/** Resolves when the last autofill request has released the gate. */
let previous: Promise<void> = Promise.resolve();

const stoppedError = () => new DOMException('Passkey autofill was stopped', 'AbortError');

export const webauthn: WebAuthnCeremonies = {
  async startRegistration(input) {
    return (await load()).startRegistration(input as unknown as RegistrationInput);
  },
  async startAuthentication(input) {
    const lib = await load();
    if (input.useBrowserAutofill !== true) {
      return lib.startAuthentication(input as unknown as AuthenticationInput);
    }
    const attempt = running;
    running = undefined;
    attempt?.release();
    if (attempt === undefined || attempt.stopped) throw stoppedError();
    attempt.waiting = true;
    try {
      const response = await lib.startAuthentication(input as unknown as AuthenticationInput);
      // Picked just as the page stopped the request: the person chose another way.
      if (attempt.stopped) throw stoppedError();
      attempt.picked = true;
      return response;
    } finally {
      attempt.waiting = false;
    }
  },
};

/** A passkey autofill request of the sign-in page (conditional UI). */
export interface PasskeyAutofill {
  /**
   * The sign-in once a passkey was picked and the API accepted it; `undefined` when the request
   * ended without one (stopped, no conditional UI in this browser, nothing picked, the options
   * did not come). Rejects with the API's refusal of a picked passkey (`AuthClientError`, such
   * as `PASSKEY_INVALID` for one deleted from the account).
   */
  readonly result: Promise<LoginResult | undefined>;
  /** Ends the request: a waiting one is aborted, one that has not begun never begins. */
  stop(): void;
}

/**
 * Starts a passkey autofill request with `signIn` (`client.passkeys.signIn({ autofill: true })`)
 * when the browser has conditional UI. A new request waits until the one before it has reached
 * its ceremony or ended, so the ceremony knows whose it is; a stopped one gets there as soon as
 * its options arrive (its ceremony then refuses to begin).
 */
export function passkeyAutofill(signIn: () => Promise<LoginResult>): PasskeyAutofill {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const attempt: Attempt = { stopped: false, waiting: false, picked: false, release };
  const result = previous.then(async () => {
    try {
      if (attempt.stopped || !(await conditionalMediation())) return undefined;
      if (attempt.stopped) return undefined; // stopped while the browser answered
      running = attempt;
      return await signIn();
    } catch (error) {
      // Ended without a passkey (stopped, cancelled, offline): say nothing, the button and the
      // password still work and say what goes wrong.
      if (!attempt.picked) return undefined;
      throw error;
    } finally {
      if (running === attempt) running = undefined;
      release();
    }
  });
  previous = released;
  return {
    result,
    stop() {
      attempt.stopped = true;
      // Rejects the waiting navigator.credentials.get() with an AbortError. (The library awaits
      // isConditionalMediationAvailable() before it makes its AbortSignal, so a stop in that
      // moment misses; that request still never signs in, as `stopped` refuses its answer, and
      // the next ceremony aborts it.)
      if (attempt.waiting) library?.WebAuthnAbortService.cancelCeremony();
    },
  };
}

async function conditionalMediation(): Promise<boolean> {
  try {
    return (await window.PublicKeyCredential?.isConditionalMediationAvailable?.()) === true;
  } catch {
    return false;
  }
}
