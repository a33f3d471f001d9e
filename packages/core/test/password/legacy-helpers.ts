import type { Storage } from '../../src/storage/types.js';

/** Stores a verified user holding `passwordHash` directly (imported accounts never register). */
export async function addUser(storage: Storage, email: string, passwordHash: string) {
  await storage.users.create({
    id: `u-${email}`,
    email,
    emailNormalized: email,
    emailVerifiedAt: 0,
    passwordHash,
    metadata: {},
    disabled: false,
    credentialGeneration: 0,
    createdAt: 0,
    updatedAt: 0,
  });
}
