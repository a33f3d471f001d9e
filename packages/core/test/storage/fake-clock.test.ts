import { describe, expect, it } from 'vitest';
import { fakeClock } from '../../src/testing/fake-clock.js';

describe('fakeClock', () => {
  it('stands still until advanced or set', () => {
    const clock = fakeClock(1_000);
    expect(clock.now()).toBe(1_000);
    expect(clock.now()).toBe(1_000);
    expect(clock.advance(500)).toBe(1_500);
    expect(clock.now()).toBe(1_500);
    clock.set(10);
    expect(clock.now()).toBe(10);
  });

  it('refuses a time that is not a finite number', () => {
    expect(() => fakeClock(Number.NaN)).toThrow(RangeError);
    const clock = fakeClock(0);
    expect(() => clock.advance(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => clock.set(Number.NaN)).toThrow(RangeError);
    expect(clock.now()).toBe(0);
  });
});
