// Which document field holds what (issue 20 "The design's legacy data"): the design does not
// list the legacy app's fields and every app names them a little differently, so each role
// is the first of its common names that the table's documents fill (any of them). `--mapping FILE`
// overrides any of it: { "<table>": { "<role>": "<field>" } }. `--inspect` shows the result.

export const ROLE_CANDIDATES = {
  subject: ['subject', 'title'],
  body: ['description', 'body', 'message', 'content', 'text'],
  ticket: ['ticketId', 'ticket', 'supportTicketId'],
  sender: ['userId', 'customerId', 'authorId', 'senderId'],
  senderType: ['isAdmin', 'senderType', 'role', 'fromAdmin'],
  internal: ['isInternal', 'internal'],
  status: ['status'],
  priority: ['priority'],
  channel: ['channel', 'source', 'type'],
  name: ['senderName', 'name', 'customerName', 'fullName', 'displayName'],
  email: ['senderEmail', 'email', 'customerEmail'],
  thread: ['threadId', 'conversationId', 'sessionId'],
  createdAt: ['createdAt', '_creationTime'],
  attachments: ['attachments', 'files', 'storageIds'],
  assignee: ['assignedTo', 'assigneeId', 'agentId'],
  reference: ['ticketNumber', 'number', 'reference', 'ref'],
} as const;

export type Role = keyof typeof ROLE_CANDIDATES;
/** Role → field, for one table. */
export type FieldMap = Partial<Record<Role, string>>;
/** Table → its field map: what `--mapping` holds. */
export type Mapping = Record<string, FieldMap>;

const filled = (value: unknown) => value !== undefined && value !== null && value !== '';

/** Counts, over a whole table, which candidate fields its documents fill: a sample can miss a field only later rows use. */
export class FieldDetector {
  readonly #filled = new Map<string, number>();

  add(doc: Record<string, unknown>): void {
    for (const candidates of Object.values(ROLE_CANDIDATES)) {
      for (const field of candidates) if (filled(doc[field])) this.#filled.set(field, (this.#filled.get(field) ?? 0) + 1);
    }
  }

  /** Per role, the first candidate any document fills; `override` (from --mapping) wins. */
  fields(override: FieldMap = {}): FieldMap {
    const map: FieldMap = {};
    for (const role of Object.keys(ROLE_CANDIDATES) as Role[]) {
      const found = ROLE_CANDIDATES[role].find((field) => (this.#filled.get(field) ?? 0) > 0);
      if (found) map[role] = found;
    }
    return { ...map, ...override };
  }
}

export type FieldStats = { field: string; types: string[]; fillRate: number };

/** What `--inspect` prints per table: each field's types and how often it is filled. */
export function fieldStats(sample: readonly Record<string, unknown>[]): FieldStats[] {
  const fields = new Map<string, { types: Set<string>; filled: number }>();
  for (const doc of sample) {
    for (const [field, value] of Object.entries(doc)) {
      const stats = fields.get(field) ?? { types: new Set<string>(), filled: 0 };
      stats.types.add(value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);
      if (filled(value)) stats.filled++;
      fields.set(field, stats);
    }
  }
  return [...fields.entries()]
    .map(([field, s]) => ({ field, types: [...s.types].sort(), fillRate: sample.length === 0 ? 0 : s.filled / sample.length }))
    .sort((a, b) => a.field.localeCompare(b.field));
}

/** A document's value for a role, as text ('' when absent). */
export function text(doc: Record<string, unknown>, map: FieldMap, role: Role): string {
  const field = map[role];
  const value = field === undefined ? undefined : doc[field];
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/** A document's time for a role in ms: a number, an Int64 as a decimal string, or an ISO date. */
export function time(doc: Record<string, unknown>, map: FieldMap, role: Role = 'createdAt'): number | null {
  const field = map[role];
  const value = field === undefined ? undefined : doc[field];
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? (/^\d+$/.test(value) ? Number(value) : Date.parse(value)) : Number.NaN;
  if (Number.isFinite(ms)) return Math.round(ms);
  const created = doc._creationTime;
  return typeof created === 'number' ? Math.round(created) : null;
}
