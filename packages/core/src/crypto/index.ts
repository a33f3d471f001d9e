export { timingSafeEqual, timingSafeEqualStrings } from './compare.js';
export {
  concatBytes,
  fromBase64,
  fromBase64Url,
  fromHex,
  fromUtf8,
  toBase64,
  toBase64Url,
  toHex,
  utf8,
} from './encoding.js';
export { hkdfSha256, hmacSha256, sha256, sha256Base64Url } from './hash.js';
export type { KeyPurpose } from './keyring.js';
export { Keyring } from './keyring.js';
export type { RandomSource } from './random.js';
export { webCryptoRandom } from './random.js';
export type { SplitToken } from './tokens.js';
export {
  createSplitToken,
  parseSplitToken,
  randomToken,
  TOKEN_ID_BYTES,
  TOKEN_SECRET_BYTES,
  verifyTokenSecret,
} from './tokens.js';
