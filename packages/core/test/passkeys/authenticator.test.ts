import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import { describe, expect, it } from 'vitest';
import {
  type SoftwareAuthenticator,
  type SoftwareAuthenticatorAlgorithm,
  softwareAuthenticator,
} from '../../src/testing/webauthn.js';

const ORIGIN = 'http://localhost:3000';
const RP_ID = 'localhost';

function registrationOptions(
  extra: Partial<Parameters<typeof generateRegistrationOptions>[0]> = {},
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: 'Portcullis',
    rpID: RP_ID,
    userName: 'ada@example.com',
    ...extra,
  });
}

function verifyRegistration(
  response: RegistrationResponseJSON,
  expectedChallenge: string,
  extra: Partial<Parameters<typeof verifyRegistrationResponse>[0]> = {},
) {
  return verifyRegistrationResponse({
    response,
    expectedChallenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
    ...extra,
  });
}

function verifyAuthentication(
  response: AuthenticationResponseJSON,
  expectedChallenge: string,
  credential: WebAuthnCredential,
  extra: Partial<Parameters<typeof verifyAuthenticationResponse>[0]> = {},
) {
  return verifyAuthenticationResponse({
    response,
    expectedChallenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
    credential,
    ...extra,
  });
}

/** Registers a credential and returns what a server would store for it. */
async function enrol(
  authenticator: SoftwareAuthenticator,
  extra: Partial<Parameters<typeof generateRegistrationOptions>[0]> = {},
): Promise<{ credential: WebAuthnCredential; userHandle: string }> {
  const options = await registrationOptions(extra);
  const response = await authenticator.register(options);
  const verification = await verifyRegistration(response, options.challenge);
  if (!verification.verified) throw new Error('registration not verified');
  return { credential: verification.registrationInfo.credential, userHandle: options.user.id };
}

/** Signs in once with `credential` and returns the verification. */
async function signIn(authenticator: SoftwareAuthenticator, credential: WebAuthnCredential) {
  const options = await generateAuthenticationOptions({
    rpID: RP_ID,
    allowCredentials: [{ id: credential.id }],
  });
  const response = await authenticator.authenticate(options);
  return verifyAuthentication(response, options.challenge, credential);
}

describe('softwareAuthenticator', () => {
  describe.each<SoftwareAuthenticatorAlgorithm>(['ES256', 'EdDSA'])('%s', (algorithm) => {
    it('registers a credential the library verifies', async () => {
      const authenticator = softwareAuthenticator({ origin: ORIGIN, algorithm });
      const options = await registrationOptions();
      const response = await authenticator.register(options);
      expect(response).toMatchObject({
        rawId: response.id,
        type: 'public-key',
        authenticatorAttachment: 'platform',
        clientExtensionResults: {},
        response: {
          transports: ['internal'],
          publicKeyAlgorithm: algorithm === 'ES256' ? -7 : -8,
        },
      });

      const verification = await verifyRegistration(response, options.challenge);
      expect(verification.verified).toBe(true);
      expect(verification.registrationInfo).toMatchObject({
        fmt: 'none',
        aaguid: '00000000-0000-0000-0000-000000000000',
        userVerified: true,
        credentialBackedUp: false,
        credentialDeviceType: 'singleDevice',
        credential: { id: response.id, counter: 0 },
      });
      expect(authenticator.credentials).toEqual([
        { id: response.id, rpId: RP_ID, userHandle: options.user.id, algorithm, counter: 0 },
      ]);
    });

    it('authenticates, the counter going up by one each time', async () => {
      const authenticator = softwareAuthenticator({ origin: ORIGIN, algorithm });
      const { credential } = await enrol(authenticator);

      const first = await signIn(authenticator, credential);
      expect(first.verified).toBe(true);
      expect(first.authenticationInfo).toMatchObject({
        credentialID: credential.id,
        newCounter: 1,
        userVerified: true,
        credentialBackedUp: false,
        credentialDeviceType: 'singleDevice',
        origin: ORIGIN,
        rpID: RP_ID,
      });

      const second = await signIn(authenticator, { ...credential, counter: 1 });
      expect(second.verified).toBe(true);
      expect(second.authenticationInfo.newCounter).toBe(2);
      expect(authenticator.credentials[0]?.counter).toBe(2);
    });
  });

  it('prefers its algorithm but takes what pubKeyCredParams allows', async () => {
    const eddsa = softwareAuthenticator({ origin: ORIGIN, algorithm: 'EdDSA' });
    const onlyEs256 = await registrationOptions({ supportedAlgorithmIDs: [-257, -7] });
    expect((await eddsa.register(onlyEs256)).response.publicKeyAlgorithm).toBe(-7);

    const es256 = softwareAuthenticator({ origin: ORIGIN });
    const both = await registrationOptions({ supportedAlgorithmIDs: [-8, -7] });
    expect((await es256.register(both)).response.publicKeyAlgorithm).toBe(-7);
    expect((await es256.register(both, { algorithm: 'EdDSA' })).response.publicKeyAlgorithm).toBe(
      -8,
    );

    const rsaOnly = await registrationOptions({ supportedAlgorithmIDs: [-257] });
    await expect(es256.register(rsaOnly)).rejects.toMatchObject({ name: 'NotSupportedError' });
  });

  it('sets the UV flag as configured, and per ceremony', async () => {
    const authenticator = softwareAuthenticator({ origin: ORIGIN, userVerification: false });
    const options = await registrationOptions();
    const response = await authenticator.register(options);
    await expect(verifyRegistration(response, options.challenge)).rejects.toThrow(
      /User verification was required/,
    );
    const lenient = await verifyRegistration(response, options.challenge, {
      requireUserVerification: false,
    });
    expect(lenient.registrationInfo?.userVerified).toBe(false);
    const credential = lenient.registrationInfo?.credential;
    if (!credential) throw new Error('no credential');

    const auth = await generateAuthenticationOptions({ rpID: RP_ID });
    const unverified = await authenticator.authenticate(auth);
    await expect(verifyAuthentication(unverified, auth.challenge, credential)).rejects.toThrow(
      /User verification required/,
    );
    const verified = await authenticator.authenticate(auth, { userVerified: true });
    const result = await verifyAuthentication(verified, auth.challenge, credential);
    expect(result.authenticationInfo.userVerified).toBe(true);
  });

  it('sets the backup flags of a synced passkey', async () => {
    const authenticator = softwareAuthenticator({
      origin: ORIGIN,
      backupEligible: true,
      backedUp: true,
    });
    const options = await registrationOptions();
    const verification = await verifyRegistration(
      await authenticator.register(options),
      options.challenge,
    );
    expect(verification.registrationInfo).toMatchObject({
      credentialBackedUp: true,
      credentialDeviceType: 'multiDevice',
    });
    const credential = verification.registrationInfo?.credential;
    if (!credential) throw new Error('no credential');
    const result = await signIn(authenticator, credential);
    expect(result.authenticationInfo).toMatchObject({
      credentialBackedUp: true,
      credentialDeviceType: 'multiDevice',
    });

    const eligibleOnly = softwareAuthenticator({ origin: ORIGIN, backupEligible: true });
    const other = await registrationOptions();
    const notBackedUp = await verifyRegistration(
      await eligibleOnly.register(other),
      other.challenge,
    );
    expect(notBackedUp.registrationInfo).toMatchObject({
      credentialBackedUp: false,
      credentialDeviceType: 'multiDevice',
    });
  });

  it('registration with a wrong origin, RP ID, challenge or type is refused', async () => {
    const authenticator = softwareAuthenticator({ origin: ORIGIN });
    const options = await registrationOptions();
    const refused = async (overrides: Parameters<SoftwareAuthenticator['register']>[1]) =>
      verifyRegistration(await authenticator.register(options, overrides), options.challenge);

    await expect(refused({ origin: 'http://evil.example' })).rejects.toThrow(/origin/);
    await expect(refused({ rpId: 'evil.example' })).rejects.toThrow(/RP ID/);
    await expect(refused({ challenge: 'c29tZXRoaW5nLWVsc2U' })).rejects.toThrow(/challenge/);
    await expect(refused({ type: 'webauthn.get' })).rejects.toThrow(/type/);
    // An authenticator on another origin gets the same refusal.
    const elsewhere = softwareAuthenticator({ origin: 'https://evil.example' });
    await expect(
      verifyRegistration(
        await elsewhere.register({ ...options, rp: { name: 'x' } }),
        options.challenge,
      ),
    ).rejects.toThrow(/origin/);
  });

  it('authentication with a wrong origin, RP ID, challenge or type is refused', async () => {
    const authenticator = softwareAuthenticator({ origin: ORIGIN });
    const { credential } = await enrol(authenticator);
    const options = await generateAuthenticationOptions({ rpID: RP_ID });
    const refused = async (overrides: Parameters<SoftwareAuthenticator['authenticate']>[1]) =>
      verifyAuthentication(
        await authenticator.authenticate(options, overrides),
        options.challenge,
        credential,
      );

    await expect(refused({ origin: 'http://evil.example' })).rejects.toThrow(/origin/);
    await expect(refused({ rpId: 'evil.example' })).rejects.toThrow(/RP ID/);
    await expect(refused({ challenge: 'c29tZXRoaW5nLWVsc2U' })).rejects.toThrow(/challenge/);
    await expect(refused({ type: 'webauthn.create' })).rejects.toThrow(/type/);
    // The untampered response still verifies.
    const ok = await refused({});
    expect(ok.verified).toBe(true);
  });

  it("a signature by another credential's key is refused", async () => {
    const authenticator = softwareAuthenticator({ origin: ORIGIN });
    const { credential: first } = await enrol(authenticator);
    const { credential: second } = await enrol(authenticator);
    const options = await generateAuthenticationOptions({ rpID: RP_ID });
    const response = await authenticator.authenticate(options, { credentialId: second.id });
    const result = await verifyAuthentication(response, options.challenge, {
      ...first,
      id: second.id,
    });
    expect(result.verified).toBe(false);
  });

  it("counter 'zero' verifies again and again with a counter of 0", async () => {
    const authenticator = softwareAuthenticator({ origin: ORIGIN, counter: 'zero' });
    const { credential } = await enrol(authenticator);
    for (let i = 0; i < 3; i++) {
      const result = await signIn(authenticator, credential);
      expect(result.verified).toBe(true);
      expect(result.authenticationInfo.newCounter).toBe(0);
    }
    expect(authenticator.credentials[0]?.counter).toBe(0);
  });

  it('a counter set backwards is refused by the counter check', async () => {
    const authenticator = softwareAuthenticator({ origin: ORIGIN });
    const { credential } = await enrol(authenticator);
    let stored = credential.counter;
    for (let i = 0; i < 3; i++) {
      const result = await signIn(authenticator, { ...credential, counter: stored });
      stored = result.authenticationInfo.newCounter;
    }
    expect(stored).toBe(3);

    authenticator.setCounter(credential.id, 1);
    expect(authenticator.credentials[0]?.counter).toBe(1);
    await expect(signIn(authenticator, { ...credential, counter: stored })).rejects.toThrow(
      /counter value 2 was lower than expected 3/,
    );

    // An explicit counter is signed as given, and carries on from there.
    const options = await generateAuthenticationOptions({ rpID: RP_ID });
    const jumped = await authenticator.authenticate(options, { counter: 10 });
    const result = await verifyAuthentication(jumped, options.challenge, {
      ...credential,
      counter: stored,
    });
    expect(result.authenticationInfo.newCounter).toBe(10);
    expect(authenticator.credentials[0]?.counter).toBe(10);

    expect(() => authenticator.setCounter(credential.id, -1)).toThrow(RangeError);
    expect(() => authenticator.setCounter('nope', 1)).toThrow(/no credential/);
  });

  it('excludeCredentials makes register throw InvalidStateError', async () => {
    const authenticator = softwareAuthenticator({ origin: ORIGIN });
    const { credential } = await enrol(authenticator);
    const options = await registrationOptions({ excludeCredentials: [{ id: credential.id }] });
    const error = await authenticator.register(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'InvalidStateError' });
    expect(authenticator.credentials).toHaveLength(1);

    // Another authenticator does not hold it, so it registers.
    const other = softwareAuthenticator({ origin: ORIGIN });
    await expect(other.register(options)).resolves.toMatchObject({ type: 'public-key' });
  });

  it('discoverable authentication returns the userHandle given at registration', async () => {
    const authenticator = softwareAuthenticator({ origin: ORIGIN });
    const ada = await enrol(authenticator, { userName: 'ada@example.com' });
    const bob = await enrol(authenticator, { userName: 'bob@example.com' });
    expect(ada.userHandle).not.toBe(bob.userHandle);

    const options = await generateAuthenticationOptions({ rpID: RP_ID });
    expect(options.allowCredentials).toBeUndefined();
    const latest = await authenticator.authenticate(options);
    expect(latest.id).toBe(bob.credential.id);
    expect(latest.response.userHandle).toBe(bob.userHandle);
    const verified = await verifyAuthentication(latest, options.challenge, bob.credential);
    expect(verified.verified).toBe(true);

    const chosen = await authenticator.authenticate(options, { credentialId: ada.credential.id });
    expect(chosen.id).toBe(ada.credential.id);
    expect(chosen.response.userHandle).toBe(ada.userHandle);
    expect((await verifyAuthentication(chosen, options.challenge, ada.credential)).verified).toBe(
      true,
    );
  });

  it('uses the first allowed credential it holds, and refuses when it holds none', async () => {
    const authenticator = softwareAuthenticator({ origin: ORIGIN });
    const first = await enrol(authenticator);
    const second = await enrol(authenticator);
    const stranger = await enrol(softwareAuthenticator({ origin: ORIGIN }));

    const options = await generateAuthenticationOptions({
      rpID: RP_ID,
      allowCredentials: [
        { id: stranger.credential.id },
        { id: first.credential.id },
        { id: second.credential.id },
      ],
    });
    const response = await authenticator.authenticate(options);
    expect(response.id).toBe(first.credential.id);

    const none = await generateAuthenticationOptions({
      rpID: RP_ID,
      allowCredentials: [{ id: stranger.credential.id }],
    });
    await expect(authenticator.authenticate(none)).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
    const otherRp = await generateAuthenticationOptions({ rpID: 'example.com' });
    await expect(authenticator.authenticate(otherRp)).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
  });

  it('clone() shares the keys but keeps its own counters', async () => {
    const original = softwareAuthenticator({ origin: ORIGIN });
    const { credential } = await enrol(original);
    const clone = original.clone();
    expect(clone.credentials).toEqual(original.credentials);

    const fromOriginal = await signIn(original, credential);
    expect(fromOriginal.authenticationInfo.newCounter).toBe(1);

    // The clone signs with the same private key: the original's public key verifies it...
    const fromClone = await signIn(clone, credential);
    expect(fromClone.verified).toBe(true);
    expect(fromClone.authenticationInfo.newCounter).toBe(1);
    // ...but its counter lags, which the counter check catches once the server has moved on.
    await expect(signIn(clone, { ...credential, counter: 5 })).rejects.toThrow(/counter/);
    expect(original.credentials[0]?.counter).toBe(1);

    // Registrations after cloning stay with the authenticator that made them.
    await enrol(clone);
    expect(clone.credentials).toHaveLength(2);
    expect(original.credentials).toHaveLength(1);
  });
});
