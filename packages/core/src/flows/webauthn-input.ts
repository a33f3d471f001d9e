import * as v from 'valibot';

/*
 * The WebAuthn response bodies a client sends (`@simplewebauthn/browser`'s JSON), their sizes
 * bounded and their encodings checked; `@simplewebauthn/server` checks the rest.
 */

const b64 = (name: string, max: number) =>
  v.pipe(
    v.string(`${name} must be a string`),
    v.minLength(1, `${name} is required`),
    v.maxLength(max, `${name} is too long`),
    v.regex(/^[A-Za-z0-9_-]+=*$/, `${name} must be base64url`),
  );
const transports = v.optional(
  v.pipe(v.array(v.pipe(v.string(), v.maxLength(32))), v.maxLength(10, 'too many transports')),
);
const credentialFields = {
  // A credential id is at most 1023 bytes (WebAuthn): 1364 base64url characters.
  id: b64('response.id', 1400),
  rawId: b64('response.rawId', 1400),
  type: v.literal('public-key', 'response.type must be public-key'),
  clientExtensionResults: v.optional(v.looseObject({})),
  authenticatorAttachment: v.optional(v.picklist(['platform', 'cross-platform'])),
};

/** A `RegistrationResponseJSON`, its sizes bounded (the library checks the rest). */
export const registrationResponseSchema = v.looseObject({
  ...credentialFields,
  response: v.looseObject({
    clientDataJSON: b64('response.clientDataJSON', 4096),
    attestationObject: b64('response.attestationObject', 12_000),
    authenticatorData: v.optional(b64('response.authenticatorData', 8192)),
    publicKey: v.optional(b64('response.publicKey', 4096)),
    publicKeyAlgorithm: v.optional(v.number()),
    transports,
  }),
});

/** An `AuthenticationResponseJSON`, its sizes bounded (the library checks the rest). */
export const authenticationResponseSchema = v.looseObject({
  ...credentialFields,
  response: v.looseObject({
    clientDataJSON: b64('response.clientDataJSON', 4096),
    authenticatorData: b64('response.authenticatorData', 8192),
    signature: b64('response.signature', 2048),
    userHandle: v.optional(v.pipe(v.string(), v.maxLength(128))),
  }),
});
