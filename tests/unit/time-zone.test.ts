import { describe, expect, it } from 'vitest';
import { fixedOffset, fixedOffsetProblem, offsetsAround, tzOffset } from '../../src/time-zone.js';

describe('the shop time zone as one fixed offset', () => {
  it('sees both offsets of a zone with daylight saving, whatever the season today', () => {
    for (const at of [new Date('2026-01-15T12:00:00Z'), new Date('2026-07-15T12:00:00Z')]) {
      expect(offsetsAround('America/New_York', at)).toEqual(['-04:00', '-05:00']);
    }
    // the very offset the old pool computed once at start-up is wrong half the year
    expect(tzOffset('America/New_York', new Date('2026-01-15T12:00:00Z'))).not.toBe(tzOffset('America/New_York', new Date('2026-07-15T12:00:00Z')));
  });

  it('gives the one offset of a zone without daylight saving and refuses one with it', () => {
    expect(fixedOffset('Asia/Manila')).toBe('+08:00');
    expect(fixedOffset('Asia/Kolkata')).toBe('+05:30');
    expect(fixedOffset('Etc/GMT+5')).toBe('-05:00');
    expect(() => fixedOffset('America/New_York')).toThrow(/^SHOP_TIMEZONE: America\/New_York changes its UTC offset \(UTC-04:00 \/ UTC-05:00/);
  });

  it('suggests the Etc zone of the current offset (POSIX sign) for a whole-hour zone', () => {
    expect(fixedOffsetProblem('America/New_York', new Date('2026-01-15T12:00:00Z'))).toMatch(/Etc\/GMT\+5\)$/);
    expect(fixedOffsetProblem('Europe/Berlin', new Date('2026-07-15T12:00:00Z'))).toMatch(/Etc\/GMT-2\)$/);
    expect(fixedOffsetProblem('Asia/Manila')).toBeNull();
  });
});

describe('the database pool', () => {
  it('refuses to start with a zone whose offset changes (no connection is made for that)', async () => {
    const { createPool } = await import('../../src/db/pool.js');
    expect(() => createPool({ url: 'mysql://root@127.0.0.1:1/none', timeZone: 'America/New_York' })).toThrow(/SHOP_TIMEZONE: America\/New_York/);
  });
});
