import type { StorageStores, StoreName } from './types.js';

/** Every method name of every store; `Record<keyof …, true>` makes the compiler keep it complete. */
const METHODS: { readonly [S in StoreName]: Readonly<Record<keyof StorageStores[S], true>> } = {
  users: {
    create: true,
    getById: true,
    getByEmail: true,
    getByUsername: true,
    update: true,
    advanceTotpStep: true,
    delete: true,
    list: true,
  },
  accounts: {
    create: true,
    get: true,
    getBySubject: true,
    listByUser: true,
    update: true,
    delete: true,
    deleteByUser: true,
  },
  passkeys: {
    create: true,
    get: true,
    getByCredentialId: true,
    listByUser: true,
    recordUse: true,
    rename: true,
    delete: true,
    deleteByUser: true,
  },
  sessions: {
    create: true,
    get: true,
    touch: true,
    rotateRefresh: true,
    markFresh: true,
    listByUser: true,
    delete: true,
    deleteByUser: true,
  },
  tokens: {
    create: true,
    consume: true,
    recordFailure: true,
    get: true,
    delete: true,
    deleteByUser: true,
  },
  twoFactor: {
    replaceRecoveryCodes: true,
    listRecoveryCodes: true,
    markRecoveryCodeUsed: true,
    createTrustedDevice: true,
    getTrustedDevice: true,
    listTrustedDevices: true,
    touchTrustedDevice: true,
    deleteTrustedDevice: true,
    deleteAllTrustedDevices: true,
    deleteByUser: true,
  },
  rateLimits: {
    hit: true,
    peek: true,
    release: true,
    reset: true,
    lock: true,
    lockedUntil: true,
  },
  audit: { append: true, list: true, listAll: true, deleteByUser: true },
};

/** The method names of one store, as the contract lists them. */
export function storeMethods(store: StoreName): readonly string[] {
  return Object.keys(METHODS[store]);
}
