import { describe, expect, it } from 'vitest';
import { ADA, CTX, fail, NOBODY, setupMagic } from './helpers.js';

describe('no magic-link secret leaks', () => {
  it('links, verifiers and codes stay out of events, audit, logs, answers, errors and the store', async () => {
    const s = await setupMagic({
      magicLink: { createAccounts: true },
      rateLimits: { magicLinkPerAddress: { limit: 10, windowSeconds: 3600 } },
    });
    const { auth } = s;
    const tokens = new Set<string>(); // whole links' tokens and their verifiers
    const codes = new Set<string>();
    const seen: unknown[] = [];
    const keep = (mailed: { token: string; code: string }) => {
      tokens.add(mailed.token);
      tokens.add(mailed.token.split('.')[1] ?? fail('no verifier'));
      codes.add(mailed.code);
      return mailed;
    };
    const refused = (p: Promise<unknown>) =>
      p.then(
        () => fail('expected a rejection'),
        (e: unknown) => seen.push(e, String(e), JSON.stringify(e), (e as Error).stack),
      );

    const userId = await s.signUp(ADA);
    // A code guessed wrong, then the right one; its link replayed.
    let mailed = keep(await s.requested());
    await refused(auth.magicLink.verify({ email: ADA, code: s.otherCode(mailed.code) }, CTX));
    seen.push(await auth.magicLink.verify({ email: ADA, code: mailed.code }, CTX));
    await refused(auth.magicLink.verify({ token: mailed.token }, CTX));
    // A link, replayed; an expired one.
    mailed = keep(await s.requested());
    seen.push(await auth.magicLink.verify({ token: mailed.token }, CTX));
    await refused(auth.magicLink.verify({ token: mailed.token }, CTX));
    mailed = keep(await s.requested());
    s.clock.advance(16 * 60_000);
    await refused(auth.magicLink.verify({ token: mailed.token }, CTX));
    await refused(auth.magicLink.verify({ email: ADA, code: mailed.code }, CTX));
    // A request ended by wrong codes; an account made by a link.
    mailed = keep(await s.requested());
    for (let i = 0; i < 6; i++) {
      await refused(auth.magicLink.verify({ email: ADA, code: s.otherCode(mailed.code) }, CTX));
    }
    await refused(auth.magicLink.verify({ token: mailed.token }, CTX));
    const created = keep(await s.requested(NOBODY));
    const newcomer = await auth.magicLink.verify({ token: created.token }, CTX);
    seen.push(newcomer);
    if (newcomer.status !== 'signed_in') return fail('expected a sign-in');

    const audit = [
      ...(await auth.audit.list(userId)),
      ...(await auth.audit.list(newcomer.user.id)),
    ];
    expect(audit.some((e) => e.type === 'magic_link.requested')).toBe(true);
    const scanned = [...seen, ...s.events, ...audit, ...s.logs].map((v) =>
      typeof v === 'string' ? v : String(JSON.stringify(v)),
    );
    // Codes are digits: only a run of exactly those six digits counts (not a timestamp's part).
    const containsCode = (text: string, code: string) =>
      new RegExp(`(?<![0-9])${code}(?![0-9])`).test(text);
    expect(tokens.size).toBe(10);
    for (const text of scanned) {
      for (const token of tokens) expect(text).not.toContain(token);
      for (const code of codes) expect(containsCode(text, code)).toBe(false);
    }
    // The store was given hashes only (the link's selector is public; its verifier is not).
    const written = s.writes.join('\n');
    for (const token of tokens) expect(written).not.toContain(token);
    for (const code of codes) expect(containsCode(written, code)).toBe(false);
  });
});
