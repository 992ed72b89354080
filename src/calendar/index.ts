// Business time: one calendar (hours, holidays, time zone) for the widget, SLA clocks,
// reports and automations.
export { addBusinessTime, businessDuration, type Instant, isOpen, nextOpen } from './business-time.js';
export { applyBusinessHoursSetting, seedDefaultCalendar, setDefaultCalendar } from './commands.js';
export { defaultCalendar, getDefaultCalendar, type StoredCalendar } from './default.js';
export { parseBusinessHours } from './parse.js';
export { ALWAYS_OPEN, type Calendar, CalendarJson, type Holiday, type Interval, isTimeZone, validateCalendar } from './schema.js';
