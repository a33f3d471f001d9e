import * as v from 'valibot';
import { enforceRule } from '../abuse/rate-limit.js';
import { claimUnverified } from '../credentials/claim.js';
import { generationOf, sameGeneration, tokenGeneration } from '../credentials/generation.js';
import { toBase64Url } from '../crypto/encoding.js';
import { hmacSha256, sha256Base64Url } from '../crypto/hash.js';
import {
  createSplitToken,
  parseSplitToken,
  randomToken,
  TOKEN_ID_BYTES,
} from '../crypto/tokens.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { runInBackground } from '../flows/background.js';
import { parseInput, text } from '../flows/input.js';
import { isServerFailure, restoreLinkToken } from '../link-tokens/link-token.js';
import { buildLink } from '../mail/link.js';
import type { AuthRuntime } from '../runtime/context.js';
import { FIRST_GENERATION } from '../storage/generation.js';
import { TOKEN_PURPOSES } from '../storage/purposes.js';
import type { OneTimeTokenRecord } from '../storage/types/tokens.js';
import type { UserRecord } from '../storage/types/users.js';
import { otpHash, randomDigits } from '../two-factor/otp.js';
import { MAX_EMAIL_LENGTH, normalizeEmail, normalizeIdentifier } from '../users/normalize.js';
import { finishSignIn } from './complete.js';
import type { LoginResult } from './types.js';

const LINK = TOKEN_PURPOSES.magicLink;
const CODE = TOKEN_PURPOSES.magicLinkCode;
/** Keyring purpose of the key that turns an address into its code's selector. */
const CODE_SELECTOR_KEY = 'magic-link-code-selector';
/** The `amr` of a sign-in by a mailed link or code (RFC 8176 has no value for it). */
const MAGIC_LINK_AMR = 'email';

type MagicLinkSettings = NonNullable<AuthRuntime['config']['magicLink']>;

// Only the shape is checked, as for a reset: whether the text is a well-formed address must
// not change the answer.
/** The input schema of `POST /magic-link` (also the source of its OpenAPI request body). */
export const requestMagicLinkSchema = v.object({ email: text('email', MAX_EMAIL_LENGTH) });

/** Every field of a verification, each checked on its own before the combination is. */
const ALL = [['token'], ['email'], ['code']] as const;

/**
 * The input schema of `POST /magic-link/verify`: the mailed link's `token`, or the `email` the
 * link was asked for and the mailed `code`; not both. A missing half names its field.
 */
export const magicLinkVerifySchema = v.pipe(
  v.object({
    token: v.optional(text('token', 1024)),
    email: v.optional(text('email', MAX_EMAIL_LENGTH)),
    code: v.optional(text('code', 64)),
  }),
  v.forward(
    v.partialCheck(
      ALL,
      (i) => i.token === undefined || (i.email === undefined && i.code === undefined),
      'token cannot be combined with email and code: send one or the other',
    ),
    ['token'],
  ),
  v.forward(
    v.partialCheck(
      ALL,
      (i) => i.token !== undefined || i.email !== undefined || i.code !== undefined,
      'token is required, or email and code',
    ),
    ['token'],
  ),
  v.forward(
    v.partialCheck(
      ALL,
      (i) => i.token !== undefined || i.email !== undefined,
      'email is required with code',
    ),
    ['email'],
  ),
  v.forward(
    v.partialCheck(
      ALL,
      (i) => i.token !== undefined || i.code !== undefined,
      'code is required with email',
    ),
    ['code'],
  ),
);

/** The magic-link settings. @throws AuthError `NOT_FOUND` when magic links are off */
function settingsOf(rt: AuthRuntime): MagicLinkSettings {
  const settings = rt.config.magicLink;
  if (settings === undefined) throw new AuthError('NOT_FOUND');
  return settings;
}

/**
 * The selector of an address's code: HMAC-SHA256 of the normalized address under a key of its
 * own. One code slot per address (a new request replaces the code); the store never sees the
 * address in this index, and nobody without the secret can compute it.
 */
function codeSelectorOf(rt: AuthRuntime, emailNormalized: string): string {
  return toBase64Url(hmacSha256(rt.keyring.deriveKey(CODE_SELECTOR_KEY), emailNormalized));
}

/**
 * Mails a sign-in link (`{appUrl}{magicLink.path}?token=…`) and a 6-digit code to the account
 * with this address; both are single use, live `magicLink.tokenTtlSeconds` (default 15 min) and
 * belong to one request: using either ends the other, and a new request ends both. The answer
 * is the same whether the address has an account, has a disabled one (no mail) or has none:
 * with `magicLink.createAccounts` an unknown (well-formed) address gets the same mail, and its
 * account is made when the link or code is used; without it, no mail. The token writes, the
 * mail and the `magic_link.requested` event follow the answer, in the background and in that
 * order (a store failure there is logged; the answer does not change).
 *
 * Throttled per client IP (`magicLinkPerIp`, default 20 an hour) and per normalized address
 * (`magicLinkPerAddress`, default 3 an hour), before the lookup: an unknown address is counted
 * and refused exactly like a known one. Every mail also counts toward the address's
 * `mailPerRecipient` budget.
 * @throws AuthError `NOT_FOUND` (magic links are off), `VALIDATION_FAILED` (`email` is not a
 * string of 1 to 254 characters), `RATE_LIMITED` (with `retryAfterSeconds`) over either limit
 */
export async function requestMagicLink(
  rt: AuthRuntime,
  input: { email: unknown },
  context: RequestContext,
): Promise<{ status: 'link_sent' }> {
  const settings = settingsOf(rt);
  const { email } = parseInput(requestMagicLinkSchema, input);
  const address = normalizeIdentifier(email).key;
  // Before the lookup, so unknown addresses are throttled alike; the IP first, so a client over
  // its own limit does not also use up the budget of the addresses it names.
  if (context.ip !== undefined) await enforceRule(rt, 'magicLinkPerIp', context.ip);
  await enforceRule(rt, 'magicLinkPerAddress', address);
  const user = await rt.storage.users.getByEmail(address);
  // Answer after the same awaited work for every address (validation, two limits, one lookup):
  // the writes and the mail that only some addresses get would tell them apart by timing.
  await runInBackground(rt.config.logger, 'magic-link', async () => {
    if (user !== undefined && !user.disabled) {
      return mailRequest(
        rt,
        settings,
        { email: user.email, emailNormalized: user.emailNormalized, user },
        context,
      );
    }
    if (user !== undefined) {
      await rt.emit(
        {
          type: 'magic_link.requested',
          userId: user.id,
          data: { mailed: false, reason: 'account_disabled' },
        },
        context,
      );
      return;
    }
    const typed = settings.createAccounts ? normalizeEmail(email) : undefined;
    if (typed !== undefined) return mailRequest(rt, settings, typed, context);
    await rt.emit({ type: 'magic_link.requested', data: { mailed: false } }, context);
  });
  return { status: 'link_sent' };
}

/** Who a request is mailed to: an account, or (account creation on) an address without one. */
interface Recipient {
  /** The address to mail, as typed (trimmed, NFKC) or as the account has it. */
  readonly email: string;
  /** The address as looked up (lower-cased): the link's and the code's key. */
  readonly emailNormalized: string;
  readonly user?: UserRecord;
}

/** Issues the request's link and code (ending the address's older request), then mails them. */
async function mailRequest(
  rt: AuthRuntime,
  settings: MagicLinkSettings,
  to: Recipient,
  context: RequestContext,
): Promise<void> {
  const { token, code } = await issueRequest(rt, settings, to);
  const userId = to.user?.id;
  await rt.sendMail(
    'magic-link',
    to.email,
    {
      appName: rt.config.appName,
      firstName: to.user?.firstName,
      link: buildLink(rt.config.appUrl, settings.path, token),
      code,
      expiresInMinutes: Math.round(settings.tokenTtlSeconds / 60),
    },
    { userId, context },
  );
  await rt.emit(
    {
      type: 'magic_link.requested',
      ...(userId === undefined ? {} : { userId }),
      data: { mailed: true },
    },
    context,
  );
}

/**
 * One live request per address: the older link (named by the older code, and any of the
 * user's) and code are deleted, then the new link and the new code are written. The link is a
 * split token (the store keeps SHA-256 of its verifier) whose payload holds the address it went
 * to and, for an account, its credential generation (a change since ends it) or, for no
 * account yet, the typed address to create it with. The code's selector is the address's HMAC
 * and its verifier an HMAC of the code (`otpHash`); its payload names the link's selector.
 */
async function issueRequest(
  rt: AuthRuntime,
  settings: MagicLinkSettings,
  to: Recipient,
): Promise<{ token: string; code: string }> {
  const { tokens } = rt.storage;
  const { user, emailNormalized } = to;
  const codeSelector = codeSelectorOf(rt, emailNormalized);
  const now = rt.now();
  const older = await tokens.get(CODE, codeSelector, now);
  const olderLink = older?.payload?.linkSelector;
  if (typeof olderLink === 'string') await tokens.delete(LINK, olderLink);
  if (user !== undefined) await tokens.deleteByUser(user.id, { purpose: LINK });
  const expiresAt = now + settings.tokenTtlSeconds * 1000;
  const owner = user === undefined ? {} : { userId: user.id };
  const link = createSplitToken({ random: rt.config.random });
  const created = await tokens.create({
    purpose: LINK,
    selector: link.id,
    verifierHash: link.secretHash,
    ...owner,
    expiresAt,
    attempts: 0,
    payload:
      user === undefined
        ? { emailNormalized, email: to.email }
        : { emailNormalized, credentialGeneration: generationOf(user) },
  });
  // 128 random bits colliding means a broken random source: fail closed.
  if (created === 'conflict') {
    throw new AuthError('INTERNAL', { cause: new Error('magic link selector collision') });
  }
  const code = randomDigits(rt.config.random);
  const record: OneTimeTokenRecord = {
    purpose: CODE,
    selector: codeSelector,
    verifierHash: otpHash(rt, CODE, codeSelector, code),
    ...owner,
    expiresAt,
    attempts: 0,
    payload: { linkSelector: link.id },
  };
  // The slot may hold a dead code, or a concurrent request's: replace it, once more if needed.
  for (let attempt = 0; attempt < 2; attempt++) {
    await tokens.delete(CODE, codeSelector);
    if ((await tokens.create(record)) === 'created') return { token: link.token, code };
  }
  throw new AuthError('INTERNAL', { cause: new Error('magic link code slot kept conflicting') });
}

/**
 * Signs in with a mailed magic link's `token`, or with the `email` it was asked for and the
 * mailed `code` (on another device). Either is single use and ends the other: the link is the
 * request's one compare-and-delete, which a code also takes once it checked out, so of any
 * number of concurrent uses of one request exactly one signs in. A code's check is reserved
 * before it runs (`magicLink.maxCodeAttempts + 1` on the code, as for second-factor codes):
 * after `maxCodeAttempts` wrong codes the request is over, its code and its link deleted.
 *
 * Then the account: the one the link was mailed to, while the address is still its own and
 * no credential changed since (`TOKEN_INVALID` otherwise); for a request without an account
 * (`magicLink.createAccounts`), the address's account, made now (verified, without a password;
 * `user.registered` with `method: 'magic_link'`) unless it was registered meanwhile. A disabled
 * account is refused (`login.failed`, reason `disabled`). An account whose address was never
 * verified is claimed first: the link proved the mailbox, so whatever its registrant set up
 * (password, sessions, linked accounts, passkeys, second factor) is dropped in one credential
 * change and the address marked verified (`claimUnverified`). Last, the common end of every
 * sign-in (`finishSignIn`, `amr` `['email']`): a user with 2FA gets a challenge that neither
 * offers nor accepts `email` (the mailbox was the first factor). A failure on the server's
 * side after the link was used puts it (and the code) back, so the retry works.
 * @throws AuthError `NOT_FOUND` (magic links are off), `VALIDATION_FAILED` (a field missing,
 * malformed, or `token` with `email`/`code`), `TOKEN_INVALID` (unknown, used or ended link;
 * the account is gone, changed address or credentials), `TOKEN_EXPIRED` (the right link, too
 * late), `CODE_INVALID` (a wrong, used, ended or expired code), `ACCOUNT_DISABLED`
 */
export async function signInWithMagicLink(
  rt: AuthRuntime,
  input: { token?: unknown; email?: unknown; code?: unknown },
  context: RequestContext,
): Promise<LoginResult> {
  const settings = settingsOf(rt);
  const { token, email, code } = parseInput(magicLinkVerifySchema, {
    token: input.token,
    email: input.email,
    code: input.code,
  });
  if (context.ip !== undefined) await enforceRule(rt, 'magicLinkVerifyPerIp', context.ip);
  const used =
    token !== undefined
      ? await useLink(rt, token)
      : await useCode(rt, settings, email ?? '', code ?? '', context);
  let result: LoginResult;
  try {
    result = await signIn(rt, settings, used.link, context);
  } catch (error) {
    // Issue 16: a store outage must not burn the owner's request. Refusals stand.
    if (isServerFailure(error)) {
      for (const record of used.consumed) await restoreLinkToken(rt, record);
    } else if (token !== undefined) {
      await dropCode(rt, used.link);
    }
    throw error;
  }
  if (token !== undefined) await dropCode(rt, used.link);
  return result;
}

/** A request used up: its link record, and every record consumed (to put back on an outage). */
interface UsedRequest {
  readonly link: OneTimeTokenRecord;
  readonly consumed: readonly OneTimeTokenRecord[];
}

/** Uses a link up: one compare-and-delete, so of concurrent uses one wins. */
async function useLink(rt: AuthRuntime, token: string): Promise<UsedRequest> {
  const parsed = parseSplitToken(token);
  if (!parsed) throw new AuthError('TOKEN_INVALID');
  const result = await rt.storage.tokens.consume(LINK, parsed.id, {
    verifierHash: sha256Base64Url(parsed.secret),
    now: rt.now(),
  });
  if (result.status === 'expired') throw new AuthError('TOKEN_EXPIRED');
  if (result.status !== 'ok') throw new AuthError('TOKEN_INVALID');
  return { link: result.record, consumed: [result.record] };
}

/**
 * Uses a code up: the check reserved first (of concurrent tries at most `maxCodeAttempts` are
 * compared), the code compared-and-deleted, then its link taken with the link's own stored
 * verifier, so that a code and its link used at once give one sign-in. The wrong code that
 * used the last check ends the request: its link and the code are deleted.
 */
/** A verifier hash no code hashes to (not base64url of 32 bytes). */
const NEVER_MATCHES = '!';

async function useCode(
  rt: AuthRuntime,
  settings: MagicLinkSettings,
  email: string,
  code: string,
  context: RequestContext,
): Promise<UsedRequest> {
  const { tokens } = rt.storage;
  const address = normalizeIdentifier(email).key;
  // Code checks per address across requests (a new request does not give new guesses).
  await enforceRule(rt, 'magicLinkCodePerAddress', address);
  const selector = codeSelectorOf(rt, address);
  const before = await tokens.get(CODE, selector, rt.now());
  const left = await tokens.recordFailure(CODE, selector, {
    maxAttempts: settings.maxCodeAttempts + 1,
  });
  // The same round trips whether or not a code exists (no code, or no tries left: a verifier
  // that never matches), so the time does not tell an address with a request from one without.
  const result = await tokens.consume(CODE, selector, {
    verifierHash:
      left === 0 ? NEVER_MATCHES : otpHash(rt, CODE, selector, code.replace(/\s+/g, '')),
    now: rt.now(),
  });
  if (left === 0 || result.status === 'not_found') {
    if (left === 1 && before !== undefined) await endRequest(rt, selector, before);
    const userId = before?.userId;
    if (userId !== undefined) {
      // After the answer: an audit write only for a known address would be timed.
      await runInBackground(rt.config.logger, 'magic link login.failed', () =>
        rt.emit(
          { type: 'login.failed', userId, data: { reason: 'code_invalid', method: 'magic_link' } },
          context,
        ),
      );
    }
    throw new AuthError('CODE_INVALID');
  }
  // An expired code is as dead as a wrong one (its link expired with it).
  if (result.status === 'expired') throw new AuthError('CODE_INVALID');
  // A request that would create an account does so only through its link: a guessed code must
  // not make a verified account in someone else's name. The link stays usable.
  if (result.record.userId === undefined) {
    throw new AuthError('VALIDATION_FAILED', {
      details: [{ path: 'code', message: 'To create your account, open the link in the mail' }],
    });
  }
  const linkSelector = result.record.payload?.linkSelector;
  const link =
    typeof linkSelector === 'string' ? await tokens.get(LINK, linkSelector, rt.now()) : undefined;
  const taken =
    link === undefined
      ? undefined
      : await tokens.consume(LINK, link.selector, {
          verifierHash: link.verifierHash,
          now: rt.now(),
        });
  // The link was used (or the request ended) while the code was checked: the request is over.
  if (taken?.status !== 'ok') throw new AuthError('CODE_INVALID');
  return { link: taken.record, consumed: [result.record, taken.record] };
}

/**
 * Ends the request whose code just used its last check: its link, and the code itself unless
 * a new request has replaced it meanwhile (its slot is the address's).
 */
async function endRequest(
  rt: AuthRuntime,
  selector: string,
  code: OneTimeTokenRecord,
): Promise<void> {
  const { tokens } = rt.storage;
  const linkSelector = code.payload?.linkSelector;
  if (typeof linkSelector === 'string') await tokens.delete(LINK, linkSelector);
  const current = await tokens.get(CODE, selector, rt.now());
  if (current?.verifierHash === code.verifierHash) await tokens.delete(CODE, selector);
}

/** After a link's sign-in: its code goes too (unless a newer request owns the slot). */
async function dropCode(rt: AuthRuntime, link: OneTimeTokenRecord): Promise<void> {
  const address = link.payload?.emailNormalized;
  if (typeof address !== 'string') return;
  const selector = codeSelectorOf(rt, address);
  try {
    const code = await rt.storage.tokens.get(CODE, selector, rt.now());
    if (code?.payload?.linkSelector === link.selector) {
      await rt.storage.tokens.delete(CODE, selector);
    }
  } catch (error) {
    // The code cannot sign in without its link, which is gone: it only waits for expiry.
    rt.config.logger.warn('magic link code not dropped', { error: String(error) });
  }
}

/** The account the used request is for, checked and (if unverified) claimed; then sign in. */
async function signIn(
  rt: AuthRuntime,
  settings: MagicLinkSettings,
  link: OneTimeTokenRecord,
  context: RequestContext,
): Promise<LoginResult> {
  const address = link.payload?.emailNormalized;
  if (typeof address !== 'string') throw new AuthError('TOKEN_INVALID');
  let user: UserRecord;
  if (link.userId !== undefined) {
    const found = await rt.storage.users.getById(link.userId);
    // The link went to an address that must still be the account's, under the credentials
    // it had then (a new password, an address change or a claim since ends it).
    if (
      found === undefined ||
      found.emailNormalized !== address ||
      !sameGeneration(tokenGeneration(link), found)
    ) {
      throw new AuthError('TOKEN_INVALID');
    }
    user = found;
  } else {
    user = await accountFor(rt, settings, link, address, context);
  }
  if (user.disabled) {
    await rt.emit(
      { type: 'login.failed', userId: user.id, data: { reason: 'disabled', method: 'magic_link' } },
      context,
    );
    throw new AuthError('ACCOUNT_DISABLED');
  }
  // Following the link proved the mailbox. An account whose address was never verified may
  // have been set up by someone else (pre-hijacking): claimed before anyone signs in to it.
  if (user.emailVerifiedAt === undefined) {
    user = await claimUnverified(rt, user, {
      context,
      failWith: () => new AuthError('TOKEN_INVALID'),
    });
  }
  return finishSignIn(rt, user, {
    amr: [MAGIC_LINK_AMR],
    context,
    eventData: { method: 'magic_link' },
    // The mailbox was the first factor: an emailed code cannot be the second too.
    excludeMethods: ['email'],
  });
}

/**
 * The account of a request mailed to an address without one: registered meanwhile, or made
 * now (only while `createAccounts` is on), its address verified by the link, no password.
 */
async function accountFor(
  rt: AuthRuntime,
  settings: MagicLinkSettings,
  link: OneTimeTokenRecord,
  address: string,
  context: RequestContext,
): Promise<UserRecord> {
  const existing = await rt.storage.users.getByEmail(address);
  if (existing !== undefined) return existing;
  const email = link.payload?.email;
  if (!settings.createAccounts || typeof email !== 'string') throw new AuthError('TOKEN_INVALID');
  const now = rt.now();
  const user: UserRecord = {
    id: randomToken({ bytes: TOKEN_ID_BYTES, random: rt.config.random }),
    email,
    emailNormalized: address,
    emailVerifiedAt: now,
    metadata: {},
    disabled: false,
    credentialGeneration: FIRST_GENERATION,
    createdAt: now,
    updatedAt: now,
  };
  if ((await rt.storage.users.create(user)) === 'conflict') {
    // Registered meanwhile: that account, under the same rules as a known one.
    const raced = await rt.storage.users.getByEmail(address);
    if (raced === undefined) throw new AuthError('TOKEN_INVALID');
    return raced;
  }
  await rt.emit(
    { type: 'user.registered', userId: user.id, data: { method: 'magic_link' } },
    context,
  );
  return user;
}
