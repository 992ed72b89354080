import { SNOOZE_PRESETS, type SnoozePreset } from '../../calendar/snooze-presets.js';
import { invalid } from '../../errors.js';
import { MAX_MACRO_ACTIONS, MAX_MACRO_TEXT, MAX_TAG_LENGTH, MAX_TAGS } from '../../limits.js';
import { LABELS, type Label, PRIORITIES, type Priority, STATUSES, type Status } from '../../store/schema.js';

// What a macro may do, checked when it is saved and again each time it runs: a macro saved
// before a rule tightened, or a row written by hand, must fail before it changes anything.
// Pure: the route's zod schema says the same for the API (present/schemas.ts MacroActionJson).
// Snooze takes a preset (computed when it runs) or `until: null` (until the customer writes):
// never a fixed time, which a macro run again and again would soon find in the past.

export type MacroAction =
  | { type: 'reply'; body: string }
  | { type: 'note'; body: string }
  | { type: 'canned'; cannedReplyId: number; as: 'reply' | 'note' }
  | { type: 'status'; status: Status }
  | { type: 'priority'; priority: Priority }
  | { type: 'team'; teamId: number | null }
  | { type: 'assign'; assigneeId: number | null | 'me' }
  | { type: 'labels'; add?: Label[]; remove?: Label[] }
  | { type: 'tags'; add?: string[]; remove?: string[] }
  | { type: 'snooze'; preset: SnoozePreset }
  | { type: 'snooze'; until: null };

export type MacroActionType = MacroAction['type'];
/** The snooze presets, for the API's schemas (present/ reads them here). */
export { SNOOZE_PRESETS };

type Loose = Record<string, unknown>;

const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string, at: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
    throw invalid('actions', `${at}: ${what} must be one of ${allowed.join(', ')}`);
  return value as T;
}

function text(value: unknown, at: string): string {
  const body = typeof value === 'string' ? value.trim() : '';
  if (!body) throw invalid('actions', `${at}: the text is empty`);
  if (body.length > MAX_MACRO_TEXT) throw invalid('actions', `${at}: the text is at most ${MAX_MACRO_TEXT} characters`);
  return body;
}

function names<T extends string>(value: unknown, at: string, check: (name: string) => T): T[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > MAX_TAGS) throw invalid('actions', `${at}: a list of at most ${MAX_TAGS} names`);
  return value.map((name) => {
    if (typeof name !== 'string' || !name.trim()) throw invalid('actions', `${at}: a name is empty`);
    return check(name.trim());
  });
}

function checkAction(raw: Loose, at: string): MacroAction {
  switch (raw.type) {
    case 'reply':
    case 'note':
      return { type: raw.type, body: text(raw.body, at) };
    case 'canned':
      if (!isId(raw.cannedReplyId)) throw invalid('actions', `${at}: which canned reply?`);
      return { type: 'canned', cannedReplyId: raw.cannedReplyId, as: oneOf(raw.as, ['reply', 'note'] as const, 'as', at) };
    case 'status':
      return { type: 'status', status: oneOf(raw.status, STATUSES, 'status', at) };
    case 'priority':
      return { type: 'priority', priority: oneOf(raw.priority, PRIORITIES, 'priority', at) };
    case 'team':
      if (raw.teamId !== null && !isId(raw.teamId)) throw invalid('actions', `${at}: a team's id, or null for none`);
      return { type: 'team', teamId: raw.teamId };
    case 'assign':
      if (raw.assigneeId !== null && raw.assigneeId !== 'me' && !isId(raw.assigneeId)) throw invalid('actions', `${at}: a team member's id, 'me' or null`);
      return { type: 'assign', assigneeId: raw.assigneeId };
    case 'labels':
    case 'tags': {
      const check =
        raw.type === 'labels'
          ? (name: string) => oneOf(name, LABELS, 'a label', at)
          : (name: string) => {
              if (name.length > MAX_TAG_LENGTH) throw invalid('actions', `${at}: a tag is at most ${MAX_TAG_LENGTH} characters`);
              return name;
            };
      const add = names(raw.add, at, check);
      const remove = names(raw.remove, at, check);
      if (!add?.length && !remove?.length) throw invalid('actions', `${at}: add or remove at least one`);
      return { type: raw.type, ...(add ? { add } : {}), ...(remove ? { remove } : {}) } as MacroAction;
    }
    case 'snooze':
      if (raw.preset !== undefined) return { type: 'snooze', preset: oneOf(raw.preset, SNOOZE_PRESETS, 'preset', at) };
      if (raw.until !== null) throw invalid('actions', `${at}: snooze by a preset, or until: null (until the customer writes)`);
      return { type: 'snooze', until: null };
    default:
      throw invalid('actions', `${at}: unknown action ${JSON.stringify(raw.type)}`);
  }
}

/** The actions, in order, or `validation_failed` naming the first wrong one ("action 3: …"). */
export function checkMacroActions(value: unknown): MacroAction[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid('actions', 'a macro needs at least one action');
  if (value.length > MAX_MACRO_ACTIONS) throw invalid('actions', `a macro has at most ${MAX_MACRO_ACTIONS} actions`);
  return value.map((raw, i) => {
    if (!raw || typeof raw !== 'object') throw invalid('actions', `action ${i + 1}: not an action`);
    return checkAction(raw as Loose, `action ${i + 1}`);
  });
}

/** `current` with `add` added and `remove` taken away, as a macro's labels or tags action says. */
export function addRemove<T extends string>(current: readonly T[], action: { add?: T[]; remove?: T[] }): T[] {
  const removed = new Set(action.remove ?? []);
  return [...new Set([...current, ...(action.add ?? [])])].filter((name) => !removed.has(name));
}
