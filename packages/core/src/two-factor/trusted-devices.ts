import * as v from 'valibot';
import { generationOf, sameGeneration } from '../credentials/generation.js';
import { createSplitToken, parseSplitToken, verifyTokenSecret } from '../crypto/tokens.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { parseInput, text } from '../flows/input.js';
import type { AuthRuntime } from '../runtime/context.js';
import { reportForeignAccess } from '../sessions/foreign-access.js';
import type { UserRecord } from '../storage/types/users.js';
import { isoTime } from '../users/public.js';
import { userIdField } from './input.js';
import type { TrustedDeviceInfo } from './types.js';

const MAX_USER_AGENT = 512;
const revokeSchema = v.object({ userId: userIdField, deviceId: text('deviceId', 128) });

/**
 * Trusts the device that just passed the second factor: a `{id}.{secret}` token (256-bit
 * secret, SHA-256 stored) valid `twoFactor.trustedDeviceTtlSeconds`. Emits
 * `trusted_device.added`. Resolves to the token, which goes to the device and nowhere else.
 */
export async function trustDevice(
  rt: AuthRuntime,
  user: Pick<UserRecord, 'id' | 'credentialGeneration'>,
  context: RequestContext,
): Promise<{ id: string; token: string; expiresAt: number }> {
  const userId = user.id;
  const token = createSplitToken({ random: rt.config.random });
  const now = rt.now();
  const expiresAt = now + rt.config.twoFactor.trustedDeviceTtlSeconds * 1000;
  await rt.storage.twoFactor.createTrustedDevice({
    id: token.id,
    userId,
    secretHash: token.secretHash,
    ...(context.userAgent === undefined
      ? {}
      : { userAgent: context.userAgent.slice(0, MAX_USER_AGENT) }),
    createdAt: now,
    lastUsedAt: now,
    expiresAt,
    credentialGeneration: generationOf(user),
  });
  await rt.emit({ type: 'trusted_device.added', userId, data: { deviceId: token.id } }, context);
  return { id: token.id, token: token.token, expiresAt };
}

/**
 * The id of the trusted device that `token` names when it is live, belongs to `user`, was
 * trusted under the user's current credential generation and its secret matches (compared in
 * constant time); its `lastUsedAt` is updated. Else `undefined`.
 */
export async function matchTrustedDevice(
  rt: AuthRuntime,
  user: Pick<UserRecord, 'id' | 'credentialGeneration'>,
  token: string,
): Promise<string | undefined> {
  const parsed = parseSplitToken(token);
  if (!parsed) return undefined;
  const now = rt.now();
  const device = await rt.storage.twoFactor.getTrustedDevice(parsed.id, now);
  if (
    !device ||
    device.userId !== user.id ||
    !sameGeneration(device, user) ||
    !verifyTokenSecret(parsed.secret, device.secretHash)
  ) {
    return undefined;
  }
  // A touch racing a revocation loses: the device does not come back, and does not count.
  const touched = await rt.storage.twoFactor.touchTrustedDevice(device.id, { now });
  return touched === 'touched' ? device.id : undefined;
}

/** The user's live trusted devices, newest first; `currentDeviceId` marks the caller's. */
export async function listTrustedDevices(
  rt: AuthRuntime,
  userId: string,
  options: { currentDeviceId?: string | undefined },
): Promise<TrustedDeviceInfo[]> {
  const devices = await rt.storage.twoFactor.listTrustedDevices(userId, rt.now());
  return devices.map((d) => ({
    id: d.id,
    createdAt: isoTime(d.createdAt),
    lastUsedAt: isoTime(d.lastUsedAt),
    expiresAt: isoTime(d.expiresAt),
    userAgent: d.userAgent ?? null,
    current: d.id === options.currentDeviceId,
  }));
}

/**
 * Revokes one of the user's trusted devices. @throws AuthError `NOT_FOUND` for an unknown,
 * expired or other user's device (the same answer for all three)
 */
export async function revokeTrustedDevice(
  rt: AuthRuntime,
  input: { userId: string; deviceId: string },
  context: RequestContext,
): Promise<void> {
  const { userId, deviceId } = parseInput(revokeSchema, input);
  const device = await rt.storage.twoFactor.getTrustedDevice(deviceId, rt.now());
  if (device !== undefined && device.userId !== userId) {
    reportForeignAccess(rt, {
      type: 'trusted_device.foreign_access',
      userId,
      data: { action: 'revoke', deviceId: device.id },
      context,
    });
  }
  if (!device || device.userId !== userId) throw new AuthError('NOT_FOUND');
  await rt.storage.twoFactor.deleteTrustedDevice(device.id);
  await rt.emit({ type: 'trusted_device.revoked', userId, data: { deviceId: device.id } }, context);
}
