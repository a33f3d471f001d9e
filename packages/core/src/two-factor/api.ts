import type { AuthRuntime } from '../runtime/context.js';
import { confirmTotp, enrollTotp } from './enroll.js';
import { disableTwoFactor, regenerateRecoveryCodes, twoFactorStatus } from './manage.js';
import { confirmPhone, startPhone } from './phone.js';
import { sendChallengeCode } from './send-code.js';
import { listTrustedDevices, revokeTrustedDevice } from './trusted-devices.js';
import type { TwoFactorApi } from './types.js';

/** Builds `auth.twoFactor` over one runtime. */
export function createTwoFactorApi(rt: AuthRuntime): TwoFactorApi {
  return {
    status: (userId) => twoFactorStatus(rt, userId),
    totp: {
      enroll: (input, context) => enrollTotp(rt, input, context ?? {}),
      confirm: (input, context) => confirmTotp(rt, input, context ?? {}),
    },
    disable: (input, context) => disableTwoFactor(rt, input, context ?? {}),
    recoveryCodes: {
      regenerate: (input, context) => regenerateRecoveryCodes(rt, input, context ?? {}),
    },
    phone: {
      start: (input, context) => startPhone(rt, input, context ?? {}),
      confirm: (input, context) => confirmPhone(rt, input, context ?? {}),
    },
    sendEmailCode: (input, context) => sendChallengeCode(rt, 'email', input, context ?? {}),
    sendSmsCode: (input, context) => sendChallengeCode(rt, 'sms', input, context ?? {}),
    devices: {
      list: (userId, options) =>
        listTrustedDevices(rt, userId, { currentDeviceId: options?.currentDeviceId }),
      revoke: (userId, deviceId, context) =>
        revokeTrustedDevice(rt, { userId, deviceId }, context ?? {}),
    },
  };
}
