import { describe, expect, it } from 'vitest';
import { nextDigestSlot } from '../src/inbox/notifications/digest-slot.js';

// When a digest goes (issue 18): on the clock of the user's time zone, strictly after now.

const at = (iso: string) => Date.parse(iso);
const slot = (every: '15m' | 'hourly' | 'daily', now: string, timeZone = 'UTC', time = '09:00') =>
  new Date(nextDigestSlot({ every, at: time, timeZone }, at(now))).toISOString();

describe('next digest slot', () => {
  it('every 15 minutes: the next quarter hour', () => {
    expect(slot('15m', '2026-01-05T08:01:00Z')).toBe('2026-01-05T08:15:00.000Z');
    expect(slot('15m', '2026-01-05T08:15:00Z')).toBe('2026-01-05T08:30:00.000Z');
  });

  it("hourly: the next full hour of the user's zone, on the half hour in India", () => {
    expect(slot('hourly', '2026-01-05T08:01:00Z', 'Europe/Berlin')).toBe('2026-01-05T09:00:00.000Z');
    expect(slot('hourly', '2026-01-05T08:01:00Z', 'Asia/Kolkata')).toBe('2026-01-05T08:30:00.000Z');
    expect(slot('hourly', '2026-01-05T08:45:00Z', 'Asia/Kolkata')).toBe('2026-01-05T09:30:00.000Z');
  });

  it('daily: the next local HH:MM, today or tomorrow, across a daylight-saving change', () => {
    expect(slot('daily', '2026-01-05T07:00:00Z', 'Europe/Berlin')).toBe('2026-01-05T08:00:00.000Z');
    expect(slot('daily', '2026-01-05T08:00:00Z', 'Europe/Berlin')).toBe('2026-01-06T08:00:00.000Z');
    // 29 March 2026: Berlin moves to summer time, 09:00 there is 07:00 UTC.
    expect(slot('daily', '2026-03-28T09:00:00Z', 'Europe/Berlin')).toBe('2026-03-29T07:00:00.000Z');
    expect(slot('daily', '2026-01-05T23:30:00Z', 'America/New_York', '18:45')).toBe('2026-01-05T23:45:00.000Z');
  });
});
