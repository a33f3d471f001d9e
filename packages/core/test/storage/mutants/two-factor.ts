import type { NewRecoveryCode, TrustedDeviceRecord } from '../../../src/storage/types.js';
import { fill, type Mutant, mutant, shared, tick } from './mutant.js';

const DEVICES_DELETE = 'deleteAllTrustedDevices and deleteByUser remove all five';
const DEVICE_COPIES = 'returns copies: mutating a device or codes passed in';

/** A trusted-device delete that misses the user's first device. */
function devicesMissingFirst(method: 'deleteByUser' | 'deleteAllTrustedDevices'): Mutant {
  return mutant(`twoFactor: ${method} misses the first device`, [DEVICES_DELETE], (m) => {
    const created = new Map<string, string[]>();
    return {
      twoFactor: {
        ...m.twoFactor,
        async createTrustedDevice(device) {
          created.set(device.userId, [...(created.get(device.userId) ?? []), device.id]);
          await m.twoFactor.createTrustedDevice(device);
        },
        async [method](userId: string) {
          if (method === 'deleteByUser') await m.twoFactor.replaceRecoveryCodes(userId, []);
          for (const id of (created.get(userId) ?? []).slice(1)) {
            await m.twoFactor.deleteTrustedDevice(id);
          }
        },
      },
    };
  });
}

/** Mutants of `twoFactor`. */
export const TWO_FACTOR_MUTANTS: readonly Mutant[] = [
  mutant(
    'twoFactor: device credentialGeneration stored as a 32-bit float',
    ['keeps a trusted device’s credentialGeneration'],
    (m) => ({
      twoFactor: {
        ...m.twoFactor,
        createTrustedDevice: (d) =>
          m.twoFactor.createTrustedDevice({
            ...d,
            credentialGeneration: Math.fround(d.credentialGeneration),
          }),
      },
    }),
  ),
  mutant(
    'twoFactor: touchTrustedDevice reads, then writes (racing a revocation, it resurrects)',
    ['a touchTrustedDevice racing a revocation'],
    (m) => ({
      twoFactor: {
        ...m.twoFactor,
        async touchTrustedDevice(id, { now }) {
          const device = await m.twoFactor.getTrustedDevice(id, now);
          if (device === undefined) return 'not_found';
          await tick();
          await m.twoFactor.createTrustedDevice({ ...device, lastUsedAt: now });
          return 'touched';
        },
      },
    }),
  ),
  devicesMissingFirst('deleteByUser'),
  devicesMissingFirst('deleteAllTrustedDevices'),
  mutant(
    'twoFactor: an absent userAgent read back as a key holding undefined',
    ['leaves absent optional fields absent: a device’s userAgent'],
    (m) => {
      const f = (d: TrustedDeviceRecord) => fill(d, ['userAgent'], undefined) ?? d;
      return {
        twoFactor: {
          ...m.twoFactor,
          getTrustedDevice: async (id, now) => {
            const d = await m.twoFactor.getTrustedDevice(id, now);
            return d === undefined ? undefined : f(d);
          },
          listTrustedDevices: async (userId, now) =>
            (await m.twoFactor.listTrustedDevices(userId, now)).map(f),
        },
      };
    },
  ),
  mutant(
    'twoFactor: an unused code’s usedAt read back as null',
    ['leaves absent optional fields absent: a device’s userAgent'],
    (m) => ({
      twoFactor: {
        ...m.twoFactor,
        listRecoveryCodes: async (userId) =>
          (await m.twoFactor.listRecoveryCodes(userId)).map((c) => fill(c, ['usedAt'], null) ?? c),
      },
    }),
  ),
  mutant('twoFactor: createTrustedDevice keeps the caller’s object', [DEVICE_COPIES], (m) => {
    const inputs = new Map<string, TrustedDeviceRecord>();
    return {
      twoFactor: {
        ...m.twoFactor,
        async createTrustedDevice(device) {
          inputs.set(device.id, device);
          await m.twoFactor.createTrustedDevice(device);
        },
        getTrustedDevice: async (id, now) =>
          (await m.twoFactor.getTrustedDevice(id, now)) === undefined ? undefined : inputs.get(id),
      },
    };
  }),
  mutant('twoFactor: replaceRecoveryCodes keeps the caller’s codes', [DEVICE_COPIES], (m) => {
    const inputs = new Map<string, readonly NewRecoveryCode[]>();
    return {
      twoFactor: {
        ...m.twoFactor,
        async replaceRecoveryCodes(userId, codes) {
          inputs.set(userId, codes);
          await m.twoFactor.replaceRecoveryCodes(userId, codes);
        },
        listRecoveryCodes: async (userId) =>
          (await m.twoFactor.listRecoveryCodes(userId)).map((c) => ({
            ...c,
            hash: inputs.get(userId)?.find((i) => i.id === c.id)?.hash ?? c.hash,
          })),
      },
    };
  }),
  mutant('twoFactor: listTrustedDevices hands out shared objects', [DEVICE_COPIES], (m) => ({
    twoFactor: {
      ...m.twoFactor,
      listTrustedDevices: shared(m.twoFactor.listTrustedDevices, (userId) => userId),
    },
  })),
];
