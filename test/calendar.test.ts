import { describe, expect, it } from 'vitest';
import { addBusinessTime, businessDuration, type Calendar, isOpen, nextOpen, parseBusinessHours, validateCalendar } from '../src/calendar/index.js';

// Business time over fixed dates, across the daylight-saving changes of 2026: Europe/Berlin
// springs forward on Sun 29 March (02:00 CET → 03:00 CEST) and falls back on Sun 25 October
// (03:00 CEST → 02:00 CET); America/New_York on Sun 8 March (02:00 EST → 03:00 EDT) and
// Sun 1 November (02:00 EDT → 01:00 EST). Every instant below is written in UTC.

const H = 3_600_000;
const M = 60_000;
const t = (iso: string) => Date.parse(iso);
const iso = (date: Date | null) => date?.toISOString() ?? null;

// An office week with a lunch break, and a Saturday night shift that runs into Sunday,
// across the DST change.
const berlin = parseBusinessHours('Mon-Fri 09:00-12:30 13:30-18:00, Sat 22:00-06:00', 'Europe/Berlin');
// Sunday 00:00–04:00 contains New York's change at 02:00.
const newYork = parseBusinessHours('Mon-Fri 08:00-20:00, Sun 00:00-04:00', 'America/New_York');

describe.each([
  [
    'Berlin, spring',
    berlin,
    {
      open: ['2026-03-28T21:00:00Z', '2026-03-29T01:30:00Z', '2026-03-29T03:59:00Z', '2026-03-30T07:30:00Z'],
      closed: ['2026-03-28T20:59:00Z', '2026-03-29T04:00:00Z', '2026-03-27T07:30:00Z', '2026-03-27T11:45:00Z'],
      // [from, next open]
      next: [
        ['2026-03-29T05:00:00Z', '2026-03-30T07:00:00Z'],
        ['2026-03-27T17:00:00Z', '2026-03-28T21:00:00Z'],
        ['2026-03-29T02:00:00Z', '2026-03-29T02:00:00Z'],
      ],
      // [from, to, open time]: the night shift loses the hour the clocks skip (8 h on the wall, 7 real).
      duration: [
        ['2026-03-28T00:00:00Z', '2026-03-30T00:00:00Z', 7 * H],
        ['2026-03-30T00:00:00Z', '2026-03-31T00:00:00Z', 8 * H],
        ['2026-03-27T00:00:00Z', '2026-03-28T00:00:00Z', 8 * H],
      ],
      // [from, business time, due]
      add: [
        ['2026-03-28T21:00:00Z', 7 * H, '2026-03-29T04:00:00Z'],
        ['2026-03-28T21:00:00Z', 7 * H + M, '2026-03-30T07:01:00Z'],
        ['2026-03-27T16:00:00Z', 2 * H, '2026-03-28T22:00:00Z'],
      ],
    },
  ],
  [
    'Berlin, autumn',
    berlin,
    {
      open: ['2026-10-24T20:00:00Z', '2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z', '2026-10-25T04:59:00Z'],
      closed: ['2026-10-24T19:59:00Z', '2026-10-25T05:00:00Z', '2026-10-26T07:30:00Z', '2026-10-23T16:00:00Z'],
      next: [
        ['2026-10-25T12:00:00Z', '2026-10-26T08:00:00Z'],
        ['2026-10-23T06:00:00Z', '2026-10-23T07:00:00Z'],
      ],
      // The night shift gains the hour the clocks repeat: 9 real hours.
      duration: [
        ['2026-10-24T00:00:00Z', '2026-10-26T00:00:00Z', 9 * H],
        ['2026-10-26T00:00:00Z', '2026-10-27T00:00:00Z', 8 * H],
      ],
      // 8 real hours after Sat 22:00 CEST is Sun 05:00 CET, though the wall clock moved 9.
      add: [
        ['2026-10-24T20:00:00Z', 8 * H, '2026-10-25T04:00:00Z'],
        ['2026-10-23T15:00:00Z', 3 * H, '2026-10-24T22:00:00Z'],
      ],
    },
  ],
  [
    'New York, spring',
    newYork,
    {
      open: ['2026-03-08T05:00:00Z', '2026-03-08T06:59:00Z', '2026-03-08T07:30:00Z', '2026-03-09T12:00:00Z'],
      closed: ['2026-03-08T04:59:00Z', '2026-03-08T08:00:00Z', '2026-03-06T12:30:00Z', '2026-03-09T11:59:00Z'],
      next: [
        ['2026-03-08T09:00:00Z', '2026-03-09T12:00:00Z'],
        ['2026-03-02T12:00:00Z', '2026-03-02T13:00:00Z'],
      ],
      duration: [
        ['2026-03-07T12:00:00Z', '2026-03-09T00:00:00Z', 3 * H],
        ['2026-03-09T00:00:00Z', '2026-03-10T04:00:00Z', 12 * H],
      ],
      add: [
        ['2026-03-08T05:00:00Z', 3 * H, '2026-03-08T08:00:00Z'],
        ['2026-03-08T05:00:00Z', 3 * H + M, '2026-03-09T12:01:00Z'],
      ],
    },
  ],
  [
    'New York, autumn',
    newYork,
    {
      open: ['2026-11-01T04:00:00Z', '2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z', '2026-11-01T08:59:00Z'],
      closed: ['2026-11-01T03:59:00Z', '2026-11-01T09:00:00Z', '2026-11-02T12:59:00Z', '2026-10-30T00:00:00Z'],
      next: [
        ['2026-11-01T10:00:00Z', '2026-11-02T13:00:00Z'],
        ['2026-10-31T12:00:00Z', '2026-11-01T04:00:00Z'],
      ],
      duration: [
        ['2026-10-31T12:00:00Z', '2026-11-02T00:00:00Z', 5 * H],
        ['2026-10-30T00:00:00Z', '2026-10-31T00:00:00Z', 12 * H],
      ],
      add: [
        ['2026-11-01T04:00:00Z', 4 * H, '2026-11-01T08:00:00Z'],
        ['2026-11-01T04:00:00Z', 6 * H, '2026-11-02T14:00:00Z'],
      ],
    },
  ],
] as const)('%s', (_name, calendar, cases) => {
  it('isOpen', () => {
    for (const at of cases.open) expect(isOpen(calendar, t(at)), at).toBe(true);
    for (const at of cases.closed) expect(isOpen(calendar, t(at)), at).toBe(false);
  });
  it('nextOpen is the instant itself when open, else the next opening', () => {
    for (const [from, expected] of cases.next) expect(iso(nextOpen(calendar, t(from))), from).toBe(new Date(expected).toISOString());
    for (const at of cases.open) expect(iso(nextOpen(calendar, new Date(at))), at).toBe(new Date(at).toISOString());
  });
  it('businessDuration counts real open time', () => {
    for (const [from, to, expected] of cases.duration) {
      expect(businessDuration(calendar, t(from), t(to)), `${from} → ${to}`).toBe(expected);
      expect(businessDuration(calendar, t(to), t(from))).toBe(-expected);
    }
  });
  it('addBusinessTime ends when that much open time has passed, and agrees with businessDuration', () => {
    for (const [from, ms, expected] of cases.add) {
      const due = addBusinessTime(calendar, t(from), ms);
      expect(iso(due), `${from} + ${ms / M} min`).toBe(new Date(expected).toISOString());
      expect(businessDuration(calendar, t(from), due!)).toBe(ms);
    }
  });
});

describe('business time', () => {
  it('adds and measures consistently from any start, over weeks', () => {
    for (const calendar of [berlin, newYork]) {
      for (let start = t('2026-03-01T00:00:00Z'); start < t('2026-11-15T00:00:00Z'); start += 97 * H + 13 * M) {
        for (const ms of [M, 3 * H + 7 * M, 40 * H]) {
          const due = addBusinessTime(calendar, start, ms)!;
          expect(businessDuration(calendar, start, due.getTime())).toBe(ms);
          // Where it ends is open time, or the end of it.
          expect(isOpen(calendar, due.getTime() - 1)).toBe(true);
        }
      }
    }
  });

  it('a week of office hours and one night shift is 48 hours', () => {
    // Mon 9 November 00:00 to Mon 16 November 00:00 in Berlin (CET, UTC+1).
    expect(businessDuration(berlin, t('2026-11-08T23:00:00Z'), t('2026-11-15T23:00:00Z'))).toBe(48 * H);
  });

  it('adding nothing is the same instant, open or not; a negative amount is refused', () => {
    expect(iso(addBusinessTime(berlin, t('2026-11-08T12:00:00Z'), 0))).toBe('2026-11-08T12:00:00.000Z');
    expect(() => addBusinessTime(berlin, 0, -1)).toThrow(RangeError);
  });

  it('an interval may span midnight', () => {
    const night = parseBusinessHours('Fri 22:00-02:00', 'Europe/Berlin');
    expect(isOpen(night, t('2026-11-13T22:30:00Z'))).toBe(true); // Fri 23:30
    expect(isOpen(night, t('2026-11-14T00:30:00Z'))).toBe(true); // Sat 01:30
    expect(isOpen(night, t('2026-11-14T01:00:00Z'))).toBe(false); // Sat 02:00
    expect(isOpen(night, t('2026-11-13T20:59:00Z'))).toBe(false); // Fri 21:59
    expect(businessDuration(night, t('2026-11-09T00:00:00Z'), t('2026-11-16T00:00:00Z'))).toBe(4 * H);
    expect(iso(nextOpen(night, t('2026-11-14T01:00:00Z')))).toBe('2026-11-20T21:00:00.000Z');
  });

  it('overlapping intervals count once', () => {
    const overlapping = parseBusinessHours('Mon 09:00-12:00 11:00-13:00', 'UTC');
    expect(businessDuration(overlapping, t('2026-11-09T00:00:00Z'), t('2026-11-10T00:00:00Z'))).toBe(4 * H);
    expect(iso(addBusinessTime(overlapping, t('2026-11-09T09:00:00Z'), 4 * H))).toBe('2026-11-09T13:00:00.000Z');
  });

  it('an empty calendar is always open', () => {
    const always: Calendar = { timezone: 'Europe/Berlin', intervals: [], holidays: [{ date: '2026-12-25', yearly: true }] };
    expect(isOpen(always, t('2026-12-25T03:00:00Z'))).toBe(true);
    expect(iso(nextOpen(always, t('2026-03-29T01:30:00Z')))).toBe('2026-03-29T01:30:00.000Z');
    expect(businessDuration(always, t('2026-03-28T00:00:00Z'), t('2026-03-30T00:00:00Z'))).toBe(48 * H);
    expect(iso(addBusinessTime(always, t('2026-03-28T00:00:00Z'), 30 * H))).toBe('2026-03-29T06:00:00.000Z');
  });
});

describe('holidays', () => {
  const withHolidays: Calendar = {
    ...berlin,
    holidays: [
      { date: '2026-12-24', yearly: false, name: 'Christmas Eve, this year' },
      { date: '2020-12-25', yearly: true, name: 'Christmas' },
      { date: '2026-12-27', yearly: false },
    ],
  };

  it('a one-off holiday is closed on its date only', () => {
    expect(isOpen(berlin, t('2026-12-24T10:00:00Z'))).toBe(true); // Thu 11:00
    expect(isOpen(withHolidays, t('2026-12-24T10:00:00Z'))).toBe(false);
    expect(isOpen(withHolidays, t('2027-12-24T10:00:00Z'))).toBe(true); // Fri 11:00 a year later
  });

  it('a yearly holiday is closed every year on its month and day', () => {
    expect(isOpen(withHolidays, t('2026-12-25T10:00:00Z'))).toBe(false); // Fri
    expect(isOpen(withHolidays, t('2030-12-25T10:00:00Z'))).toBe(false); // Wed
    expect(isOpen(withHolidays, t('2030-12-26T10:00:00Z'))).toBe(true);
  });

  it('closes all of its date, including the part of a night shift that reaches into it, and nothing more', () => {
    // Sat 26 December 22:00 runs into Sunday 27th, a holiday: open 22:00–24:00 only.
    expect(isOpen(withHolidays, t('2026-12-26T22:30:00Z'))).toBe(true);
    expect(isOpen(withHolidays, t('2026-12-26T23:30:00Z'))).toBe(false);
    // Sat 25 December 2027 is a holiday; its night shift still opens at Sunday's midnight.
    expect(isOpen(withHolidays, t('2027-12-25T21:30:00Z'))).toBe(false);
    expect(isOpen(withHolidays, t('2027-12-25T23:30:00Z'))).toBe(true);
  });

  it('every function steps over them', () => {
    expect(iso(nextOpen(withHolidays, t('2026-12-24T10:00:00Z')))).toBe('2026-12-26T21:00:00.000Z');
    expect(businessDuration(withHolidays, t('2026-12-24T00:00:00Z'), t('2026-12-28T00:00:00Z'))).toBe(2 * H);
    // Wed 23rd 17:00 + 3 h: 1 h on Wednesday, 2 h on Saturday night.
    expect(iso(addBusinessTime(withHolidays, t('2026-12-23T16:00:00Z'), 3 * H))).toBe('2026-12-26T23:00:00.000Z');
  });

  it('a calendar with every day a holiday never opens', () => {
    const days = Array.from({ length: 366 }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10));
    const closed: Calendar = { ...berlin, holidays: days.map((date) => ({ date, yearly: true })) };
    expect(isOpen(closed, t('2026-11-11T10:00:00Z'))).toBe(false);
    expect(nextOpen(closed, t('2026-11-11T10:00:00Z'))).toBeNull();
    expect(addBusinessTime(closed, t('2026-11-11T10:00:00Z'), H)).toBeNull();
    expect(businessDuration(closed, t('2026-01-01T00:00:00Z'), t('2027-01-01T00:00:00Z'))).toBe(0);
  });
});

describe('the text form', () => {
  it("reads several ranges a day, and today's WIDGET_HOURS form", () => {
    expect(parseBusinessHours('Mon-Fri 09:00-12:30 13:30-18:00, Sat 10:00-14:00', 'Europe/Berlin').intervals).toEqual([
      ...[1, 2, 3, 4, 5].flatMap((day) => [
        { day, from: '09:00', to: '12:30' },
        { day, from: '13:30', to: '18:00' },
      ]),
      { day: 6, from: '10:00', to: '14:00' },
    ]);
    const widgetHours = parseBusinessHours('Mon-Fri 09:00-17:30, Sat 10:00-14:00', 'Europe/Berlin');
    expect(widgetHours).toMatchObject({ timezone: 'Europe/Berlin', holidays: [] });
    expect(isOpen(widgetHours, t('2026-11-25T08:00:00Z'))).toBe(true); // Wed 09:00 in Berlin
    expect(isOpen(widgetHours, t('2026-11-25T07:59:00Z'))).toBe(false); // Wed 08:59
    expect(isOpen(widgetHours, t('2026-11-25T16:29:00Z'))).toBe(true); // Wed 17:29
    expect(isOpen(widgetHours, t('2026-11-25T16:30:00Z'))).toBe(false); // Wed 17:30
    expect(isOpen(widgetHours, t('2026-11-28T12:00:00Z'))).toBe(true); // Sat 13:00
    expect(isOpen(widgetHours, t('2026-11-29T12:00:00Z'))).toBe(false); // Sun
  });

  it('wraps a day range over the week end, takes whole day names, one-digit hours and 24:00', () => {
    const weekend = parseBusinessHours('Sat-Mon 00:00-24:00');
    expect(weekend.timezone).toBe('UTC');
    expect(weekend.intervals.map((i) => i.day)).toEqual([6, 0, 1]);
    expect(isOpen(weekend, t('2026-11-29T12:00:00Z'))).toBe(true); // Sun
    expect(isOpen(weekend, t('2026-11-30T23:59:00Z'))).toBe(true); // Mon
    expect(isOpen(weekend, t('2026-11-25T12:00:00Z'))).toBe(false); // Wed
    expect(parseBusinessHours('tuesday 9:00-17:00').intervals).toEqual([{ day: 2, from: '09:00', to: '17:00' }]);
  });

  it.each([
    ['Mon-Fri', /"Mon-Fri" is not like "Mon-Fri 09:00-17:30, Sat 10:00-14:00"/],
    ['Funday 09:00-10:00', /"Funday" is not a day like Mon/],
    ['Mon-Tue-Wed 09:00-10:00', /not a day or a range of days/],
    ['Mon 9-17', /"9-17" in "Mon 9-17" is not a time range like 09:00-17:30/],
    ['Mon 24:00-10:00', /not a time range/],
    ['Mon 09:00-25:00', /not a time range/],
    ['Mon 09:00-09:00', /starts and ends at the same time/],
    [' , ', /give at least one day and time range/],
  ])('refuses "%s"', (text, message) => {
    expect(() => parseBusinessHours(text)).toThrow(message);
  });

  it('refuses an unknown time zone', () => {
    expect(() => parseBusinessHours('Mon 09:00-10:00', 'Mars/Olympus')).toThrow(/"Mars\/Olympus" is not a time zone like Europe\/Berlin/);
  });
});

describe('the JSON form', () => {
  const valid = { timezone: 'Europe/Berlin', intervals: [{ day: 1, from: '09:00', to: '17:00' }], holidays: [{ date: '2026-12-24', yearly: false }] };

  it('accepts a calendar, holidays yearly or not', () => {
    expect(validateCalendar(valid)).toEqual(valid);
    expect(validateCalendar({ ...valid, holidays: [{ date: '2026-12-25', name: 'Christmas' }] }).holidays).toEqual([
      { date: '2026-12-25', yearly: false, name: 'Christmas' },
    ]);
  });

  it.each([
    [{ ...valid, timezone: 'Nowhere/Land' }, 'timezone'],
    [{ ...valid, intervals: [{ day: 7, from: '09:00', to: '17:00' }] }, 'intervals.0.day'],
    [{ ...valid, intervals: [{ day: 1, from: '9:00', to: '17:00' }] }, 'intervals.0.from'],
    [{ ...valid, intervals: [{ day: 1, from: '09:00', to: '24:01' }] }, 'intervals.0.to'],
    [{ ...valid, intervals: [{ day: 1, from: '09:00', to: '09:00' }] }, 'intervals.0.to'],
    [{ ...valid, holidays: [{ date: '2026-02-30', yearly: true }] }, 'holidays.0.date'],
    [{ ...valid, extra: 1 }, 'calendar'],
  ])('refuses %o, naming %s', (input, field) => {
    expect(() => validateCalendar(input)).toThrow(expect.objectContaining({ code: 'validation_failed', field }));
  });
});
