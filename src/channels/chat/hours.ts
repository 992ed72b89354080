// Opening hours for the chat widget (WIDGET_HOURS, in WIDGET_TIMEZONE): outside them the
// widget says the team is away and asks for an email, even if someone has the inbox open.
// "Mon-Fri 09:00-17:30, Sat 10:00-14:00": days (a range or one), then a time range.

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export type OpeningHours = { timeZone: string; slots: { days: Set<number>; from: number; to: number }[] };

const minutesOf = (time: string): number => {
  const match = /^(\d{1,2}):(\d{2})$/.exec(time);
  if (!match || Number(match[1]) > 24 || Number(match[2]) > 59) throw new Error(`"${time}" is not a time like 09:00`);
  return Number(match[1]) * 60 + Number(match[2]);
};

const dayOf = (name: string): number => {
  const index = DAYS.indexOf(name.toLowerCase().slice(0, 3) as (typeof DAYS)[number]);
  if (index < 0) throw new Error(`"${name}" is not a day like Mon`);
  return index;
};

export function parseOpeningHours(value: string, timeZone = 'UTC'): OpeningHours {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new Error(`"${timeZone}" is not a time zone like Europe/Berlin`);
  }
  const slots = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = /^([A-Za-z]+)(?:-([A-Za-z]+))?\s+(\S+)-(\S+)$/.exec(part);
      if (!match) throw new Error(`"${part}" is not like "Mon-Fri 09:00-17:00"`);
      const first = dayOf(match[1]!);
      const last = match[2] ? dayOf(match[2]) : first;
      const days = new Set<number>();
      for (let d = first; ; d = (d + 1) % 7) {
        days.add(d);
        if (d === last) break;
      }
      const from = minutesOf(match[3]!);
      const to = minutesOf(match[4]!);
      if (to <= from) throw new Error(`"${part}" ends before it starts`);
      return { days, from, to };
    });
  if (slots.length === 0) throw new Error('give at least one range like "Mon-Fri 09:00-17:00"');
  return { timeZone, slots };
}

export function withinHours(hours: OpeningHours, at: Date): boolean {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: hours.timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = dayOf(get('weekday'));
  const minutes = Number(get('hour')) * 60 + Number(get('minute'));
  return hours.slots.some((slot) => slot.days.has(day) && minutes >= slot.from && minutes < slot.to);
}
