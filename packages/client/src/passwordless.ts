import type { Engine } from './engine.js';
import type { WebAuthnCeremonies } from './options.js';
import type { AuthClient } from './surface.js';
import type { LoginResult, Passkey, SignedInResult } from './types.js';

/** The ceremonies to run: the configured ones, or `@simplewebauthn/browser` (loaded once). */
let browserCeremonies: Promise<WebAuthnCeremonies> | undefined;
function ceremonies(engine: Engine): Promise<WebAuthnCeremonies> {
  if (engine.options.webauthn !== undefined) return Promise.resolve(engine.options.webauthn);
  browserCeremonies ??= import('@simplewebauthn/browser').then((m) => ({
    startRegistration: (input) => m.startRegistration(input as never),
    startAuthentication: (input) => m.startAuthentication(input as never),
    // The browser's pending `navigator.credentials` request ends too.
    cancel: () => m.WebAuthnAbortService.cancelCeremony(),
  }));
  return browserCeremonies;
}

/** Throws the signal's reason once it has fired. */
function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw signal.reason;
}

/** `work`, or the signal's reason as soon as it fires (then `onAbort` ends the work). */
function abortable<T>(signal: AbortSignal | undefined, work: Promise<T>, onAbort: () => void) {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const stop = () => {
      onAbort();
      reject(signal.reason);
    };
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', stop);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', stop);
        reject(error);
      },
    );
  });
}

/** `passkeys` and `magicLink` of {@link AuthClient}. */
export function passwordlessApi(engine: Engine): Pick<AuthClient, 'passkeys' | 'magicLink'> {
  const signedIn = (result: LoginResult): LoginResult =>
    result.status === 'signed_in' ? engine.signedIn(result as SignedInResult) : result;
  return {
    passkeys: {
      async register(options = {}) {
        const { name, ...proof } = options;
        const optionsJSON = await engine.api<Record<string, unknown>>(
          'passkeyRegistrationOptions',
          { body: proof },
        );
        const response = await (await ceremonies(engine)).startRegistration({ optionsJSON });
        const body = { response, ...(name === undefined ? {} : { name }) };
        return (await engine.api<{ passkey: Passkey }>('registerPasskey', { body })).passkey;
      },
      async signIn(options = {}) {
        const { signal } = options;
        throwIfAborted(signal);
        const { challengeId, options: optionsJSON } = await engine.api<{
          challengeId: string;
          options: Record<string, unknown>;
        }>('passkeyLoginOptions', {
          body: options.identifier === undefined ? {} : { identifier: options.identifier },
        });
        const run = await ceremonies(engine);
        // Stopped while the options were fetched: no browser request starts.
        throwIfAborted(signal);
        const response = await abortable(
          signal,
          run.startAuthentication({
            optionsJSON,
            ...(options.autofill === true ? { useBrowserAutofill: true } : {}),
          }),
          () => run.cancel?.(),
        );
        return signedIn(
          await engine.api<LoginResult>('passkeyLogin', { body: { challengeId, response } }),
        );
      },
      async secondFactor(input) {
        const { options: optionsJSON } = await engine.api<{ options: Record<string, unknown> }>(
          'passkeyFactorOptions',
          { body: { challenge: input.challenge } },
        );
        const response = await (await ceremonies(engine)).startAuthentication({ optionsJSON });
        return engine.signedIn(
          await engine.api<SignedInResult>('verifySecondFactor', {
            body: { ...input, method: 'passkey', response },
          }),
        );
      },
      async list() {
        return (await engine.api<{ passkeys: Passkey[] }>('listPasskeys')).passkeys;
      },
      async rename(id, name) {
        return (
          await engine.api<{ passkey: Passkey }>('renamePasskey', {
            params: { id },
            body: { name },
          })
        ).passkey;
      },
      async remove(id, proof = {}) {
        await engine.api('removePasskey', { params: { id }, body: proof });
      },
    },
    magicLink: {
      request: (email) => engine.api('requestMagicLink', { body: { email } }),
      async verify(input) {
        return signedIn(await engine.api<LoginResult>('verifyMagicLink', { body: input }));
      },
    },
  };
}
