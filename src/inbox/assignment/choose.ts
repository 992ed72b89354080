import type { Candidate } from '../../store/assignment.js';
import type { AssignmentMode } from '../../store/schema.js';

// Whom a rule gives the next conversation, from the members online now (store/assignment.ts
// findCandidates, in id order). Pure, so fairness is tested without a database.
//
// Round robin: the next member after the last one given a conversation (the cursor), in id
// order, wrapping around. Whoever is offline, busy or full is skipped and keeps their place:
// the turn goes on from the cursor, not from them. Balanced: the fewest open and pending
// conversations; among equals, the turn decides, so equals share evenly too.

export function hasRoom(candidate: Candidate): boolean {
  return candidate.capacity === null || candidate.load < candidate.capacity;
}

/** Candidates in turn order: those after the cursor first, then from the start. */
function inTurn(candidates: readonly Candidate[], cursor: number | null): Candidate[] {
  if (cursor === null) return [...candidates];
  const after = candidates.filter((c) => c.userId > cursor);
  return [...after, ...candidates.filter((c) => c.userId <= cursor)];
}

export function pickAssignee(mode: AssignmentMode, candidates: readonly Candidate[], cursor: number | null): Candidate | null {
  if (mode === 'manual') return null;
  const eligible = inTurn(candidates, cursor).filter(hasRoom);
  if (mode === 'round_robin') return eligible[0] ?? null;
  let best: Candidate | null = null;
  for (const candidate of eligible) if (!best || candidate.load < best.load) best = candidate;
  return best;
}
