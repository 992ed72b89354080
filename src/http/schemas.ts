import { z } from 'zod';
import { CHANNELS, CONVERSATION_TYPES, LABELS, PRIORITIES, ROLES, STATUSES } from '../store/schema.js';

// The API's resources as JSON, one schema each: the presenters build exactly these,
// route responses are declared with them, and OpenAPI is generated from them.

const timestamp = z.number().int().describe('epoch milliseconds');

export const UserJson = z
  .object({
    id: z.number().int(),
    name: z.string(),
    email: z.string(),
    role: z.enum(ROLES),
    // For the admins' team page; absent for everyone else.
    active: z.boolean().optional().describe('false once deactivated: cannot sign in, API tokens refused (admins only)'),
    deactivatedAt: timestamp.nullable().optional().describe('admins only'),
  })
  .meta({ id: 'User' });

export const ConversationJson = z
  .object({
    id: z.number().int(),
    number: z.string().describe('CONV-000123'),
    channel: z.enum(CHANNELS),
    type: z.enum(CONVERSATION_TYPES),
    customer: z.object({ id: z.number().int(), name: z.string(), email: z.string() }),
    subject: z.string(),
    status: z.enum(STATUSES),
    lastMessagePreview: z.string(),
    firstMessageAt: timestamp,
    lastMessageAt: timestamp,
    resolvedAt: timestamp.nullable(),
    closedAt: timestamp.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    // The team's own organisation of the inbox; absent for customers.
    priority: z.enum(PRIORITIES).optional(),
    assignedTo: z.number().int().nullable().optional(),
    tags: z.array(z.string()).optional(),
    labels: z.array(z.enum(LABELS)).optional(),
    messageCount: z.number().int().optional().describe('includes internal notes'),
    lastReplyAt: timestamp.nullable().optional(),
    lastCustomerMessageAt: timestamp.nullable().optional(),
    unread: z.boolean().optional().describe('a customer message arrived since this agent last read it'),
  })
  .meta({ id: 'Conversation' });

export const AttachmentJson = z
  .object({ id: z.number().int(), name: z.string(), contentType: z.string(), size: z.number().int(), url: z.string() })
  .meta({ id: 'Attachment' });

export const MessageJson = z
  .object({
    id: z.number().int(),
    conversationId: z.number().int(),
    sender: z.object({
      id: z.number().int().nullable(),
      type: z.enum(['customer', 'admin', 'bot']),
      name: z.string(),
      email: z.string().nullable().optional().describe('absent for team members when a customer is looking'),
    }),
    body: z.string(),
    htmlBody: z.string().nullable(),
    attachments: z.array(AttachmentJson),
    isInternal: z.boolean(),
    sentAt: timestamp,
    readAt: timestamp.nullable(),
  })
  .meta({ id: 'Message' });

export const EventJson = z
  .object({
    id: z.number().int(),
    conversationId: z.number().int(),
    eventType: z.string(),
    performedBy: z.number().int().nullable(),
    performedByName: z.string(),
    oldValue: z.unknown(),
    newValue: z.unknown(),
    createdAt: timestamp,
  })
  .meta({ id: 'ConversationEvent' });

export type UserJson = z.infer<typeof UserJson>;
export type ConversationJson = z.infer<typeof ConversationJson>;
export type MessageJson = z.infer<typeof MessageJson>;
export type EventJson = z.infer<typeof EventJson>;
