import { expect } from 'vitest';
import type { NewRecoveryCode, TrustedDeviceRecord } from '../../storage/types/two-factor.js';
import {
  type AddCheck,
  expectSameKeys,
  GENERATION,
  newDevice,
  RACERS,
  race,
  startTime,
  uid,
} from './fixtures.js';

const codes = (n: number): NewRecoveryCode[] =>
  Array.from({ length: n }, () => ({ id: uid('rc'), hash: uid('rc-hash') }));

/** `device` without its optional user agent. */
function bare(device: TrustedDeviceRecord): TrustedDeviceRecord {
  const { userAgent: _userAgent, ...rest } = device;
  return rest;
}

/**
 * Registers the checks of `twoFactor` on fields and many records: a device's
 * `credentialGeneration` kept exactly, touches racing revocations, deletes over five records
 * per user, absent optional fields, and copies.
 */
export function twoFactorFieldChecks(check: AddCheck): void {
  check(
    'keeps a trusted device’s credentialGeneration (2^52 + 3) through create, get and list',
    async (ctx) => {
      const { twoFactor } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      const device = newDevice(userId, t);
      const zero = newDevice(userId, t - 1, { credentialGeneration: 0 });
      for (const d of [device, zero]) await twoFactor.createTrustedDevice(d);
      const got = await twoFactor.getTrustedDevice(device.id, t);
      expect(got).toEqual(device);
      expect(got?.credentialGeneration).toBe(GENERATION);
      expect((await twoFactor.getTrustedDevice(zero.id, t))?.credentialGeneration).toBe(0);
      const listed = await twoFactor.listTrustedDevices(userId, t);
      expect(listed).toEqual([device, zero]);
      expect(listed.map((d) => d.credentialGeneration)).toEqual([GENERATION, 0]);
      expect(await twoFactor.touchTrustedDevice(device.id, { now: t + 1 })).toBe('touched');
      expect((await twoFactor.getTrustedDevice(device.id, t))?.credentialGeneration).toBe(
        GENERATION,
      );
    },
  );

  check('a touchTrustedDevice racing a revocation never brings the device back', async (ctx) => {
    const { twoFactor } = ctx.storage();
    const t = startTime();
    for (let round = 0; round < 6; round += 1) {
      const userId = await ctx.owner();
      const device = newDevice(userId, t);
      await twoFactor.createTrustedDevice(device);
      // Revoked one by one, or all at once, while touches read before and write after.
      const revoke = () =>
        round % 2 === 0
          ? twoFactor.deleteTrustedDevice(device.id)
          : twoFactor.deleteAllTrustedDevices(userId);
      await race<unknown>(RACERS, (i) =>
        i === RACERS / 2 ? revoke() : twoFactor.touchTrustedDevice(device.id, { now: t + i }),
      );
      expect(await twoFactor.getTrustedDevice(device.id, t)).toBeUndefined();
      expect(await twoFactor.listTrustedDevices(userId, t)).toEqual([]);
    }
  });

  check(
    'deleteAllTrustedDevices and deleteByUser remove all five of a user’s devices (and codes), no other user’s',
    async (ctx) => {
      const { twoFactor } = ctx.storage();
      const t = startTime();
      // One user for each delete, and a third whose records must stay.
      const [allId, byUserId, otherId] = [await ctx.owner(), await ctx.owner(), await ctx.owner()];
      const five = (owner: string) => Array.from({ length: 5 }, (_, i) => newDevice(owner, t + i));
      const devices = [five(allId), five(byUserId), five(otherId)];
      for (let i = 0; i < 5; i += 1) {
        for (const d of devices.map((set) => set[i])) {
          if (d !== undefined) await twoFactor.createTrustedDevice(d);
        }
      }
      for (const id of [allId, byUserId, otherId])
        await twoFactor.replaceRecoveryCodes(id, codes(5));
      const [all, byUser, theirs] = devices as [
        TrustedDeviceRecord[],
        TrustedDeviceRecord[],
        TrustedDeviceRecord[],
      ];

      await twoFactor.deleteAllTrustedDevices(allId);
      for (const d of all) expect(await twoFactor.getTrustedDevice(d.id, t), d.id).toBeUndefined();
      expect(await twoFactor.listTrustedDevices(allId, t)).toEqual([]);
      expect(await twoFactor.listRecoveryCodes(allId)).toHaveLength(5);

      await twoFactor.deleteByUser(byUserId);
      for (const d of byUser)
        expect(await twoFactor.getTrustedDevice(d.id, t), d.id).toBeUndefined();
      expect(await twoFactor.listTrustedDevices(byUserId, t)).toEqual([]);
      expect(await twoFactor.listRecoveryCodes(byUserId)).toEqual([]);

      expect(await twoFactor.listTrustedDevices(otherId, t)).toEqual([...theirs].reverse());
      expect(await twoFactor.listRecoveryCodes(otherId)).toHaveLength(5);
    },
  );

  check(
    'leaves absent optional fields absent: a device’s userAgent, an unused code’s usedAt',
    async (ctx) => {
      const { twoFactor } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      const device = bare(newDevice(userId, t));
      await twoFactor.createTrustedDevice(device);
      expectSameKeys(await twoFactor.getTrustedDevice(device.id, t), device, 'getTrustedDevice');
      expectSameKeys(
        (await twoFactor.listTrustedDevices(userId, t))[0],
        device,
        'listTrustedDevices',
      );
      await twoFactor.touchTrustedDevice(device.id, { now: t + 1 });
      expectSameKeys(await twoFactor.getTrustedDevice(device.id, t), device, 'after touch');
      const set = codes(3);
      await twoFactor.replaceRecoveryCodes(userId, set);
      const [used] = set;
      await twoFactor.markRecoveryCodeUsed(userId, used?.id ?? '', { now: t });
      const listed = await twoFactor.listRecoveryCodes(userId);
      expect(listed).toHaveLength(3);
      for (const code of listed) {
        const hash = set.find((c) => c.id === code.id)?.hash;
        const usedAt = code.id === used?.id ? { usedAt: t } : {};
        const expected = { id: code.id, userId, hash, ...usedAt };
        expectSameKeys(code, expected, `recovery code ${code.id}`);
        expect(code).toEqual(expected);
      }
    },
  );

  check(
    'returns copies: mutating a device or codes passed in, or a listed device, changes nothing',
    async (ctx) => {
      const { twoFactor } = ctx.storage();
      const t = startTime();
      const userId = await ctx.owner();
      const device = newDevice(userId, t);
      const input = structuredClone(device) as {
        -readonly [K in keyof TrustedDeviceRecord]: TrustedDeviceRecord[K];
      };
      await twoFactor.createTrustedDevice(input);
      input.expiresAt = t + 1000 * 24 * 3_600_000;
      input.secretHash = 'by caller';
      input.credentialGeneration = 1;
      expect(await twoFactor.getTrustedDevice(device.id, t)).toEqual(device);
      const listed = (await twoFactor.listTrustedDevices(userId, t)) as { lastUsedAt: number }[];
      for (const d of listed) d.lastUsedAt = 0;
      expect(await twoFactor.listTrustedDevices(userId, t)).toEqual([device]);

      const set = codes(2);
      const kept = structuredClone(set);
      await twoFactor.replaceRecoveryCodes(userId, set);
      for (const code of set as { hash: string }[]) code.hash = 'by caller';
      set.push({ id: uid('rc'), hash: 'pushed' });
      const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
      expect((await twoFactor.listRecoveryCodes(userId)).sort(byId)).toEqual(
        kept.map((c) => ({ ...c, userId })).sort(byId),
      );
    },
  );
}
