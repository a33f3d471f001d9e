import type { OperationId } from './contract.js';
import type { Engine } from './engine.js';
import type { AuthClient } from './surface.js';
import type { AuditEvent, PublicUser, SessionInfo, StatusResult, TrustedDevice } from './types.js';

/** `sessions`, `user`, `passwords` and `audit` of {@link AuthClient}. */
export function accountApi(
  engine: Engine,
): Pick<AuthClient, 'sessions' | 'user' | 'passwords' | 'audit'> {
  const call = <T>(id: OperationId, body?: object) => engine.api<T>(id, { body });
  const userOf = async (work: Promise<{ user: PublicUser }>, learn: boolean) => {
    const { user } = await work;
    if (learn) engine.learnUser(user);
    return user;
  };
  return {
    sessions: {
      async list() {
        return (await call<{ sessions: SessionInfo[] }>('listSessions')).sessions;
      },
      async revoke(id, proof) {
        await engine.api('revokeSession', { params: { id }, body: proof });
      },
    },
    user: {
      get: () => userOf(call('getUser'), true),
      update: (patch) => userOf(call('updateUser', patch), true),
      requestEmailChange: (input) => call('requestEmailChange', input),
      // A mailed link: the page that opens it may not be the signed-in user's.
      confirmEmailChange: (input) => userOf(call('confirmEmailChange', input), false),
      async delete(input) {
        await call('deleteUser', input);
        engine.signOut();
      },
    },
    passwords: {
      async change(input) {
        await call('changePassword', input);
      },
      requestReset: (input) => call('requestPasswordReset', input),
      async confirmReset(input) {
        const result = await call<StatusResult<'password_reset'>>('resetPassword', input);
        // Every session of the user is revoked, and this browser's cookies cleared.
        engine.signOut();
        return result;
      },
    },
    async audit() {
      return (await call<{ events: AuditEvent[] }>('listAuditEvents')).events;
    },
  };
}

/** `twoFactor` of {@link AuthClient}. */
export function twoFactorApi(engine: Engine): AuthClient['twoFactor'] {
  const call = <T>(id: OperationId, body?: object) => engine.api<T>(id, { body });
  return {
    totp: {
      enroll: (input) => call('enrollTotp', input),
      confirm: (input) => call('confirmTotp', input),
    },
    async disable(input) {
      await call('disableTwoFactor', input);
    },
    regenerateRecoveryCodes: (input) => call('regenerateRecoveryCodes', input),
    phone: {
      start: (input) => call('startPhoneVerification', input),
      async confirm(input) {
        await call('confirmPhone', input);
      },
    },
    devices: {
      async list() {
        return (await call<{ devices: TrustedDevice[] }>('listTrustedDevices')).devices;
      },
      async revoke(id) {
        await engine.api('revokeTrustedDevice', { params: { id } });
      },
    },
  };
}
