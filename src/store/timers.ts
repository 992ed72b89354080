import { sql } from 'kysely';
import type { Store } from './database.js';
import type { TimerRow } from './schema.js';
import type { Tx } from './transaction.js';

// Durable timers: "do this at that time", kept in the database so a restart loses none
// (what fell due while the server was down is simply due, and the first tick claims it).
// One armed timer per key; the outbox worker fires them (jobs/timers.ts), at least once.

export type NewTimer = { key: string; kind: string; dueAt: number; payload: unknown };

/** A timer as its claim returned it: `lockedUntil` (the lease) and `version` (the arming) prove it is still the claimant's. */
export type ClaimedTimer = TimerRow & { lockedUntil: number };

/**
 * Arms a timer; a key already armed and not yet fired is RE-ARMED (dueAt and payload replaced).
 * A key whose timer already fired is armed anew. Call inside the caller's transaction.
 */
export async function setTimer(tx: Tx, timer: NewTimer, now: number): Promise<void> {
  await armTimer(tx, timer, now).execute();
}

/**
 * The insert that arms `timer`, re-arming the key's row on conflict. A re-arm also frees a
 * claimed timer (lockedUntil): the new arming is due at its own time, not when the old
 * claim's lease runs out, and the new version keeps the old claimant from recording its
 * outcome on it. `rearmWhen` limits which existing rows are re-armed.
 */
function armTimer(tx: Tx, timer: NewTimer, now: number, rearmWhen?: { firedOrDueBy: number }) {
  return tx
    .insertInto('timers')
    .values({
      key: timer.key,
      kind: timer.kind,
      dueAt: timer.dueAt,
      // JSON.stringify(undefined) is no JSON at all; a timer without payload stores null.
      payload: JSON.stringify(timer.payload ?? null),
      createdAt: now,
      updatedAt: now,
    })
    .onConflict((oc) => {
      const rearm = oc.column('key').doUpdateSet((eb) => ({
        kind: eb.ref('excluded.kind'),
        dueAt: eb.ref('excluded.dueAt'),
        payload: eb.ref('excluded.payload'),
        version: sql<number>`timers.version + 1`,
        lockedUntil: null,
        attempts: 0,
        lastError: null,
        firedAt: null,
        outcome: null,
        updatedAt: eb.ref('excluded.updatedAt'),
      }));
      if (!rearmWhen) return rearm;
      return rearm.where((eb) => eb.or([eb('timers.firedAt', 'is not', null), eb('timers.dueAt', '<=', rearmWhen.firedOrDueBy)]));
    });
}

/** Cancels an armed timer; false when there was none armed under the key. */
export async function cancelTimer(tx: Tx, key: string): Promise<boolean> {
  // Deleting the row also disarms a claim in flight: its outcome finds nothing to record.
  const result = await tx.deleteFrom('timers').where('key', '=', key).where('firedAt', 'is', null).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * Leases up to `limit` due timers to the caller until `leaseUntil`, earliest due first.
 * A timer whose worker died is due again once its lease runs out. On PostgreSQL, SKIP
 * LOCKED lets several instances claim side by side without waiting on each other's rows.
 * The subquery walks `timers_due` from its front: its WHERE states the index's predicate
 * (`"firedAt" is null`), so a tick costs the due timers, not the armed ones.
 */
export async function claimDueTimers(tx: Tx, store: Store, now: number, leaseUntil: number, limit: number): Promise<ClaimedTimer[]> {
  const skipLocked = store.dialect === 'postgres' ? sql`for update skip locked` : sql``;
  const result = await sql<ClaimedTimer>`
    update timers set "lockedUntil" = ${leaseUntil}, attempts = attempts + 1
    where id in (
      select id from timers
      where "firedAt" is null and "dueAt" <= ${now}
        and ("lockedUntil" is null or "lockedUntil" <= ${now})
      order by "dueAt", id
      limit ${limit}
      ${skipLocked})
    returning *`.execute(tx);
  return result.rows.sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
}

// Outcomes are recorded only on the arming and lease the claim returned. Another version
// means the timer was re-armed meanwhile (a new due time or payload: the new arming still
// has to fire); another lease means a second worker took it over once this one's ran
// out, and records its own outcome. Both return false then; a cancelled timer too.

type Claim = Pick<ClaimedTimer, 'id' | 'version' | 'lockedUntil'>;

export async function markTimerFired(tx: Tx, timer: Claim, now: number): Promise<boolean> {
  const result = await tx
    .updateTable('timers')
    .set({ firedAt: now, outcome: 'fired', lockedUntil: null, lastError: null, updatedAt: now })
    .where('id', '=', timer.id)
    .where('version', '=', timer.version)
    .where('lockedUntil', '=', timer.lockedUntil)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Records a failed attempt: retried at `retryAt`, or given up when that is null. The
 * retry waits in `lockedUntil`, so `dueAt` stays the time the timer was set for.
 */
export async function markTimerFailedAttempt(tx: Tx, timer: Claim, error: string, retryAt: number | null, now: number): Promise<boolean> {
  const result = await tx
    .updateTable('timers')
    .set(
      retryAt === null
        ? { lastError: error, lockedUntil: null, firedAt: now, outcome: 'failed', updatedAt: now }
        : { lastError: error, lockedUntil: retryAt, updatedAt: now },
    )
    .where('id', '=', timer.id)
    .where('version', '=', timer.version)
    .where('lockedUntil', '=', timer.lockedUntil)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export function findTimer(tx: Tx, key: string): Promise<TimerRow | undefined> {
  return tx.selectFrom('timers').selectAll().where('key', '=', key).executeTakeFirst();
}

/**
 * Arms a timer unless one is armed under the key and still to come: true when it armed.
 * A key whose timer fired (or is due and being fired right now) is armed anew, so work
 * added while a handler runs is not left without a timer; an arming still waiting is left
 * as it is, so a further event never pushes it back (a notification's mail delay).
 */
export async function setTimerIfAbsent(tx: Tx, timer: NewTimer, now: number): Promise<boolean> {
  const rows = await armTimer(tx, timer, now, { firedOrDueBy: now }).returning('id').execute();
  return rows.length > 0;
}
