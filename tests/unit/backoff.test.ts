import { describe, expect, it } from 'vitest';
import { doublingDelay } from '../../src/backoff.js';

describe('doublingDelay', () => {
  it('starts at the base and doubles with each retry', () => {
    expect([0, 1, 2, 3].map((n) => doublingDelay(100, n, 10_000))).toEqual([100, 200, 400, 800]);
  });

  it('never waits longer than the cap', () => {
    expect(doublingDelay(100, 7, 5_000)).toBe(5_000);
    expect(doublingDelay(100, 1_000_000, 5_000)).toBe(5_000);
  });

  it('treats a negative retry count as the first retry', () => {
    expect(doublingDelay(250, -3, 5_000)).toBe(250);
  });

  it('waits nothing when the base is zero (tests run retries at once)', () => {
    expect(doublingDelay(0, 1_000_000, 5_000)).toBe(0);
  });
});
