/**
 * A flood of bad requests cannot flood the log, the listeners or the audit store: events a
 * client can cause at will are kept to a budget per type, the overflow counted and reported.
 */
import { describe, expect, it } from 'vitest';
import { createEventBudget, EVENTS_PER_MINUTE } from '../../src/events/budget.js';
import { createHttpHandler } from '../../src/http/index.js';
import { CTX, setup } from '../flows/helpers.js';
import { ofType } from './helpers.js';

describe('createEventBudget (token bucket per event type)', () => {
  it('admits the burst, refuses and counts the overflow, reports the count on the next admission', () => {
    const budget = createEventBudget({ perMinute: 3 });
    const t = 1_000_000;
    const taken = Array.from({ length: 5 }, () => budget.take('request.invalid', t));
    expect(taken).toEqual([
      { admitted: true, suppressed: 0 },
      { admitted: true, suppressed: 0 },
      { admitted: true, suppressed: 0 },
      { admitted: false },
      { admitted: false },
    ]);
    // 3 a minute: one token every 20 s.
    expect(budget.take('request.invalid', t + 19_999)).toEqual({ admitted: false });
    expect(budget.take('request.invalid', t + 20_000)).toEqual({ admitted: true, suppressed: 3 });
    expect(budget.take('request.invalid', t + 20_000)).toEqual({ admitted: false });
  });

  it('types have their own buckets: a flood of one does not silence another', () => {
    const budget = createEventBudget({ perMinute: 1 });
    expect(budget.take('request.invalid', 0)).toMatchObject({ admitted: true });
    expect(budget.take('request.invalid', 0)).toEqual({ admitted: false });
    expect(budget.take('request.csrf_refused', 0)).toMatchObject({ admitted: true });
  });

  it('a clock that steps back refills nothing', () => {
    const budget = createEventBudget({ perMinute: 1 });
    expect(budget.take('login.throttled', 60_000)).toMatchObject({ admitted: true });
    expect(budget.take('login.throttled', 0)).toEqual({ admitted: false });
    expect(budget.take('login.throttled', 60_000)).toEqual({ admitted: false });
    expect(budget.take('login.throttled', 120_000)).toEqual({ admitted: true, suppressed: 2 });
  });
});

describe('a flood of cross-site requests', () => {
  it(`gives ${EVENTS_PER_MINUTE} events and log lines a minute, then one summary with the count`, async () => {
    const s = await setup();
    const handler = createHttpHandler(s.auth);
    const crossSite = () =>
      handler(
        new Request('https://app.example.com/api/auth/login', {
          method: 'POST',
          headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
          body: '{}',
        }),
        { remoteAddress: CTX.ip },
      );
    const flood = EVENTS_PER_MINUTE + 40;
    for (let i = 0; i < flood; i++) expect((await crossSite()).status).toBe(403);
    const lines = () =>
      s.logs.filter((l) => l.startsWith('warn security event request.csrf_refused'));
    expect(ofType(s.events, 'request.csrf_refused')).toHaveLength(EVENTS_PER_MINUTE);
    expect(lines()).toHaveLength(EVENTS_PER_MINUTE);

    s.clock.advance(1000); // one token back
    await crossSite();
    const last = ofType(s.events, 'request.csrf_refused').at(-1);
    expect(last?.data).toEqual({ route: 'login', suppressed: 40 });
    expect(s.logs.filter((l) => l.startsWith('warn security events suppressed'))).toEqual([
      'warn security events suppressed {"type":"request.csrf_refused","suppressed":40}',
    ]);
    expect(ofType(s.events, 'request.csrf_refused')).toHaveLength(EVENTS_PER_MINUTE + 1);
    expect(lines()).toHaveLength(EVENTS_PER_MINUTE + 1);
  });
});
