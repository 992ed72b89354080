// Business time: one calendar (hours, holidays, time zone) for the widget, SLA clocks,
// reports and automations.
export { addBusinessTime, businessDuration, isOpen, nextOpen, type Instant } from './business-time.js';
export { applyBusinessHoursSetting, seedDefaultCalendar, setDefaultCalendar } from './commands.js';
export { defaultCalendar, getDefaultCalendar, type StoredCalendar } from './default.js';
export { parseBusinessHours } from './parse.js';
export { ALWAYS_OPEN, CalendarJson, isTimeZone, validateCalendar, type Calendar, type Holiday, type Interval } from './schema.js';
