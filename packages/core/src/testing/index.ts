/**
 * `@portcullis/core/testing`: the storage conformance kit for integrators' adapters, and test
 * helpers. Imports `vitest` (an optional peer dependency of `@portcullis/core`).
 */

export { setBackgroundInline, settleBackgroundWork } from '../flows/background.js';
export { settleCompensations } from '../flows/compensate.js';
export type { MemoryMailer } from '../mail/memory.js';
export { memoryMailer } from '../mail/memory.js';
export {
  type ConformanceCheck,
  type ConformanceChecksOptions,
  type ConformanceOutcome,
  conformanceChecks,
} from './conformance/checks.js';
export type { StorageConformanceOptions, StoreName } from './conformance/index.js';
export { describeStorageConformance } from './conformance/index.js';
export type { FakeClock } from './fake-clock.js';
export { fakeClock } from './fake-clock.js';
export type {
  ContractAuthConfig,
  ContractClientOptions,
  ContractRequestOptions,
  ContractResponse,
  Exchange,
  HttpContractOptions,
  SetCookie,
  StartServer,
} from './http-contract/index.js';
export {
  ContractClient,
  CookieJar,
  describeHttpContract,
  parseSetCookie,
} from './http-contract/index.js';
export type {
  SoftwareAuthenticationOverrides,
  SoftwareAuthenticator,
  SoftwareAuthenticatorAlgorithm,
  SoftwareAuthenticatorOptions,
  SoftwareRegistrationOverrides,
  StoredCredential,
} from './webauthn.js';
export { softwareAuthenticator } from './webauthn.js';
