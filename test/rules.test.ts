import { describe, expect, it } from 'vitest';
import { DomainError } from '../src/errors.js';
import { countDeltas, countKeys, normalizeLabels, normalizeTags, requestedStatusChange, statusChangeForMessage, statusTimestamps } from '../src/inbox/rules.js';

describe('status after a message', () => {
  it.each([
    ['open', 'customer', null],
    ['pending', 'customer', { to: 'open', eventType: 'status_changed' }],
    ['resolved', 'customer', { to: 'open', eventType: 'reopened' }],
    ['closed', 'customer', { to: 'open', eventType: 'reopened' }],
    ['open', 'admin', { to: 'pending', eventType: 'status_changed' }],
    ['pending', 'admin', null],
    ['resolved', 'admin', { to: 'pending', eventType: 'reopened' }],
    ['open', 'bot', null],
  ] as const)('%s conversation, %s writes → %o', (from, sender, expected) => {
    const change = statusChangeForMessage(from, sender, false, true);
    expect(change === null ? null : { to: change.to, eventType: change.eventType }).toEqual(expected);
  });

  it('an internal note never changes the status', () => {
    for (const from of ['open', 'pending', 'resolved', 'closed'] as const) {
      expect(statusChangeForMessage(from, 'admin', true, true)).toBeNull();
    }
  });

  it('a customer reply to a closed conversation is refused when reopening closed ones is off', () => {
    expect(() => statusChangeForMessage('closed', 'customer', false, false)).toThrowError(expect.objectContaining({ code: 'invalid_transition' }));
  });
});

describe('requested status changes', () => {
  it('names the event after where the conversation goes', () => {
    expect(requestedStatusChange('open', 'resolved')?.eventType).toBe('resolved');
    expect(requestedStatusChange('resolved', 'closed')?.eventType).toBe('closed');
    expect(requestedStatusChange('resolved', 'open')?.eventType).toBe('reopened');
    expect(requestedStatusChange('closed', 'open')?.eventType).toBe('reopened');
    expect(requestedStatusChange('open', 'pending')?.eventType).toBe('status_changed');
  });

  it('the same status is no change', () => {
    expect(requestedStatusChange('pending', 'pending')).toBeNull();
  });

  it('a closed conversation can only be reopened', () => {
    for (const to of ['pending', 'resolved'] as const) {
      expect(() => requestedStatusChange('closed', to)).toThrow(DomainError);
    }
  });
});

describe('status timestamps', () => {
  const none = { resolvedAt: null, closedAt: null };
  it('resolving sets resolvedAt; closing keeps it and sets closedAt; reopening clears both', () => {
    expect(statusTimestamps(none, 'resolved', 10)).toEqual({ resolvedAt: 10, closedAt: null });
    expect(statusTimestamps({ resolvedAt: 10, closedAt: null }, 'closed', 20)).toEqual({ resolvedAt: 10, closedAt: 20 });
    expect(statusTimestamps({ resolvedAt: 10, closedAt: 20 }, 'open', 30)).toEqual(none);
  });
});

describe('counter keys', () => {
  const base = { status: 'open', assignedTo: null, channel: 'email', type: 'support', priority: 'normal', labels: ['urgent'], tags: ['billing'] } as const;

  it('a conversation counts once in every view it belongs to', () => {
    expect(countKeys(base)).toEqual([
      'status:open',
      'assignee:none:open',
      'team:none:open',
      'channel:email:open',
      'type:support:open',
      'priority:normal:open',
      'label:urgent:open',
      'tag:billing:open',
    ]);
  });

  it('a change moves only the counters that differ', () => {
    const deltas = countDeltas(base, { ...base, assignedTo: 7 });
    expect(Object.fromEntries(deltas)).toEqual({ 'assignee:none:open': -1, 'assignee:7:open': 1 });
    expect(Object.fromEntries(countDeltas({ ...base, teamId: 3 }, { ...base, teamId: null }))).toEqual({ 'team:3:open': -1, 'team:none:open': 1 });
  });
});

describe('labels and tags', () => {
  it('tags are trimmed, lower-cased, de-duplicated and sorted', () => {
    expect(normalizeTags([' Billing ', 'billing', 'VIP customer'])).toEqual(['billing', 'vip-customer']);
  });

  it('an unknown label is refused with the allowed ones named', () => {
    expect(() => normalizeLabels(['urgent', 'someday'])).toThrowError(/unknown label "someday"; labels are urgent, follow-up, resolved/);
  });
});
