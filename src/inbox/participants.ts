import { invalid } from '../errors.js';
import { normalizeEmail } from './actors.js';
import type { MailHeaders, Participant } from './records.js';
import { singleLine } from './rules.js';

// Who else is on a conversation's mail besides its customer: the rules the commands apply
// to an inbound mail's Cc and to the Cc an agent sets on a reply (pure; the team's
// addresses are looked up by the commands).
//
// - never the customer (they are To), never a team member (a colleague is assigned or
//   reads along in the inbox, not copied on customer mail: and a team address in mail
//   nobody verified must not become someone the team writes to);
// - one entry per address, lower-cased, with a one-line name ('' when none is known: the
//   mail then names the bare address);
// - at most MAX_PARTICIPANTS.
//
// What an agent types is refused when it is wrong (`strict`: 400 naming the address);
// what a mail says is taken as far as it is usable, since nobody can be asked.

export const MAX_PARTICIPANTS = 20;

/** An address as callers give it: from a header, a form. */
export type Person = { email: string; name?: string };

export function participantList(
  people: readonly Person[],
  options: { exclude: readonly string[]; teamAddresses: ReadonlySet<string>; strict: boolean; field: string },
): Participant[] {
  const excluded = new Set(options.exclude.map((e) => e.trim().toLowerCase()));
  const list: Participant[] = [];
  for (const person of people) {
    let email: string;
    try {
      email = normalizeEmail(person.email, options.field);
    } catch (error) {
      if (options.strict) throw error;
      continue;
    }
    if (options.teamAddresses.has(email)) {
      if (options.strict)
        throw invalid(options.field, `${email} is a team member's address: customer mail is not copied to the team (assign the conversation or leave a note)`);
      continue;
    }
    if (excluded.has(email) || list.some((p) => p.email === email)) continue;
    list.push({ email, name: displayName(person.name) });
  }
  if (list.length > MAX_PARTICIPANTS) {
    if (options.strict) throw invalid(options.field, `at most ${MAX_PARTICIPANTS} addresses can be copied`);
    return list.slice(0, MAX_PARTICIPANTS);
  }
  return list;
}

const displayName = (name: string | undefined) =>
  singleLine(name ?? '')
    .replace(/^["']|["']$/g, '')
    .slice(0, 200);

/** The candidate addresses, lower-cased, for the team lookup. */
export function candidateAddresses(people: readonly Person[]): string[] {
  return [...new Set(people.map((p) => p.email.trim().toLowerCase()))];
}

/** `existing` with the newcomers after them (a mail adds, it never removes). */
export function mergeParticipants(existing: readonly Participant[], added: readonly Participant[]): Participant[] {
  const merged = [...existing];
  for (const person of added) if (!merged.some((p) => p.email === person.email)) merged.push(person);
  return merged.slice(0, Math.max(MAX_PARTICIPANTS, existing.length));
}

export function sameParticipants(a: readonly Participant[], b: readonly Participant[]): boolean {
  return a.length === b.length && a.every((p, i) => p.email === b[i]!.email && p.name === b[i]!.name);
}

/** `Name <address>`, as mail clients show an address. */
export function formatAddress(person: Participant): string {
  return person.name ? `${person.name} <${person.email}>` : person.email;
}

/** The headers of a mail we are about to send: From is known once the sender has sent it. */
export function plannedHeaders(customer: Participant, cc: readonly Participant[]): MailHeaders {
  return { from: null, to: [{ email: customer.email, name: customer.name }], cc: [...cc] };
}
