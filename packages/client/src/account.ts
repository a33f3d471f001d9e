import type { Engine } from './engine.js';
import type { AuthClient } from './surface.js';
import type { AuditEvent, PublicUser, SessionInfo, StatusResult, TrustedDevice } from './types.js';

/** `sessions`, `user`, `passwords` and `audit` of {@link AuthClient}. */
export function accountApi(
  engine: Engine,
): Pick<AuthClient, 'sessions' | 'user' | 'passwords' | 'audit'> {
  const call = <T>(method: string, path: string, body?: object, auth = true) =>
    engine.api<T>(method, path, { auth, ...(body === undefined ? {} : { body }) });
  const userOf = async (work: Promise<{ user: PublicUser }>, learn: boolean) => {
    const { user } = await work;
    if (learn) engine.learnUser(user);
    return user;
  };
  return {
    sessions: {
      async list() {
        return (await call<{ sessions: SessionInfo[] }>('GET', '/sessions')).sessions;
      },
      async revoke(id, proof) {
        await call('DELETE', `/sessions/${encodeURIComponent(id)}`, proof);
      },
    },
    user: {
      get: () => userOf(call('GET', '/user'), true),
      update: (patch) => userOf(call('PATCH', '/user', patch), true),
      requestEmailChange: (input) => call('POST', '/user/email', input),
      // A mailed link: the page that opens it may not be the signed-in user's.
      confirmEmailChange: (input) =>
        userOf(call('POST', '/user/email/confirm', input, false), false),
      async delete(input) {
        await call('DELETE', '/user', input);
        engine.signOut();
      },
    },
    passwords: {
      async change(input) {
        await call('POST', '/password/change', input);
      },
      requestReset: (input) => call('POST', '/password/reset', input, false),
      async confirmReset(input) {
        const result = await call<StatusResult<'password_reset'>>(
          'POST',
          '/password/reset/confirm',
          input,
          false,
        );
        // Every session of the user is revoked, and this browser's cookies cleared.
        engine.signOut();
        return result;
      },
    },
    async audit() {
      return (await call<{ events: AuditEvent[] }>('GET', '/audit')).events;
    },
  };
}

/** `twoFactor` of {@link AuthClient}. */
export function twoFactorApi(engine: Engine): AuthClient['twoFactor'] {
  const call = <T>(method: string, path: string, body?: object) =>
    engine.api<T>(method, path, { auth: true, ...(body === undefined ? {} : { body }) });
  return {
    totp: {
      enroll: (input) => call('POST', '/2fa/totp/enroll', input),
      confirm: (input) => call('POST', '/2fa/totp/confirm', input),
    },
    async disable(input) {
      await call('POST', '/2fa/disable', input);
    },
    regenerateRecoveryCodes: (input) => call('POST', '/2fa/recovery-codes', input),
    phone: {
      start: (input) => call('POST', '/2fa/phone', input),
      async confirm(input) {
        await call('POST', '/2fa/phone/confirm', input);
      },
    },
    devices: {
      async list() {
        return (await call<{ devices: TrustedDevice[] }>('GET', '/2fa/devices')).devices;
      },
      async revoke(id) {
        await call('DELETE', `/2fa/devices/${encodeURIComponent(id)}`);
      },
    },
  };
}
