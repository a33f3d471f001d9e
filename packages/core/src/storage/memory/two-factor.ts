import type {
  RecoveryCodeRecord,
  TrustedDeviceRecord,
  TwoFactorStore,
} from '../types/two-factor.js';
import { copy, type Purgeable } from './copy.js';

/**
 * The two-factor store of `memoryStorage()`. A user's recovery codes are one array that
 * `replaceRecoveryCodes` swaps whole, so a reader sees the old set or the new one.
 */
export function memoryTwoFactorStore(): TwoFactorStore & Purgeable {
  const codesByUser = new Map<string, readonly RecoveryCodeRecord[]>();
  const devices = new Map<string, TrustedDeviceRecord>();
  const liveDevice = (id: string, now: number) => {
    const device = devices.get(id);
    return device !== undefined && now < device.expiresAt ? device : undefined;
  };

  return {
    async replaceRecoveryCodes(userId, codes) {
      const next = codes.map(({ id, hash }) => ({ id, userId, hash }));
      if (next.length === 0) codesByUser.delete(userId);
      else codesByUser.set(userId, next);
    },

    async listRecoveryCodes(userId) {
      return copy([...(codesByUser.get(userId) ?? [])]);
    },

    async markRecoveryCodeUsed(userId, id, { now }) {
      const codes = codesByUser.get(userId) ?? [];
      const code = codes.find((c) => c.id === id);
      if (code === undefined) return 'not_found';
      if (code.usedAt !== undefined) return 'already_used';
      codesByUser.set(
        userId,
        codes.map((c) => (c.id === id ? { ...c, usedAt: now } : c)),
      );
      return 'used';
    },

    async createTrustedDevice(device) {
      devices.set(device.id, copy(device));
    },

    async getTrustedDevice(id, now) {
      const device = liveDevice(id, now);
      return device === undefined ? undefined : copy(device);
    },

    async listTrustedDevices(userId, now) {
      return [...devices.values()]
        .filter((d) => d.userId === userId && now < d.expiresAt)
        .sort((a, b) => b.createdAt - a.createdAt)
        .map(copy);
    },

    async touchTrustedDevice(id, { now }) {
      const device = liveDevice(id, now);
      // Only a live device is written, so a touch racing a revocation cannot restore it.
      if (device === undefined) return 'not_found';
      devices.set(id, { ...device, lastUsedAt: now });
      return 'touched';
    },

    async deleteTrustedDevice(id) {
      devices.delete(id);
    },

    async deleteAllTrustedDevices(userId) {
      for (const [id, d] of devices) if (d.userId === userId) devices.delete(id);
    },

    async deleteByUser(userId) {
      codesByUser.delete(userId);
      for (const [id, d] of devices) if (d.userId === userId) devices.delete(id);
    },

    purgeExpired(now) {
      for (const [id, d] of devices) if (now >= d.expiresAt) devices.delete(id);
    },
  };
}
