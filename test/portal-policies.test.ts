import { describe, expect, it } from 'vitest';
import { canSeeMessage, canSetStatus, canView, conversationScope, type Viewer } from '../src/inbox/policies.js';

// Who sees a customer's conversation, as a pure rule: the address's owner once proven,
// before that only what they opened signed in; the team always.

const conversation = (customerId: number, openedBy: number | null) => ({ customer: { id: customerId, name: 'C', email: 'c@example.test' }, openedBy });
const confirmed: Viewer = { id: 7, role: 'customer', emailVerifiedAt: 1 };
const unconfirmed: Viewer = { id: 7, role: 'customer', emailVerifiedAt: null };
const agent: Viewer = { id: 2, role: 'agent', emailVerifiedAt: null };

describe('policies for the portal', () => {
  it('a confirmed customer sees every conversation of their address, whoever opened it', () => {
    for (const openedBy of [7, null, 2]) expect(canView(confirmed, conversation(7, openedBy))).toBe(true);
    expect(canView(confirmed, conversation(8, 8))).toBe(false);
    expect(conversationScope(confirmed)).toEqual({ customerId: 7 });
  });

  it('an unconfirmed customer sees only what they opened themselves, and no note in it', () => {
    expect(canView(unconfirmed, conversation(7, 7))).toBe(true);
    expect(canView(unconfirmed, conversation(7, null))).toBe(false);
    expect(canView(unconfirmed, conversation(7, 2))).toBe(false);
    expect(canSeeMessage(unconfirmed, conversation(7, null), { isInternal: false })).toBe(false);
    expect(canSeeMessage(unconfirmed, conversation(7, 7), { isInternal: true })).toBe(false);
    expect(conversationScope(unconfirmed)).toEqual({ customerId: 7, openedBy: 7 });
  });

  it('the team sees everything, confirmed or not', () => {
    expect(canView(agent, conversation(7, null))).toBe(true);
    expect(conversationScope(agent)).toEqual({});
  });

  it('a customer may only mark their conversation resolved; the team may set any status', () => {
    expect(canSetStatus(confirmed, 'resolved')).toBe(true);
    for (const status of ['open', 'pending', 'closed'] as const) expect(canSetStatus(confirmed, status)).toBe(false);
    expect(canSetStatus(agent, 'closed')).toBe(true);
  });
});
