import type { ApiTokenRow, AvailabilityChoice, Role, SessionRow, UserRow } from '../store/schema.js';

/** A user as the rest of Onethread sees one: never with the password hash. */
export type User = {
  id: number;
  name: string;
  email: string;
  role: Role;
  hasPassword: boolean;
  deactivatedAt: number | null;
  /** Null until the person proves the address by a mailed link; see inbox/policies.ts for what that limits. */
  emailVerifiedAt: number | null;
  /** A team member's email signature, plain text; null for none. */
  signature: string | null;
  /** A team member's manual availability (null: automatic) and when an inbox socket of theirs was last open: inbox/availability.ts. */
  availabilityChoice: AvailabilityChoice | null;
  lastSeenAt: number | null;
  createdAt: number;
  updatedAt: number;
};

export type Session = { id: string; userId: number; csrfToken: string; createdAt: number; expiresAt: number; lastSeenAt: number };

/** An API token's metadata; the token itself is shown once, at creation, and never stored. */
export type ApiToken = { id: number; userId: number; name: string; createdAt: number; lastUsedAt: number | null };

export function toUser(row: UserRow): User {
  return {
    id: Number(row.id),
    name: row.name,
    email: row.email,
    role: row.role,
    hasPassword: row.passwordHash !== null,
    deactivatedAt: row.deactivatedAt === null ? null : Number(row.deactivatedAt),
    emailVerifiedAt: row.emailVerifiedAt === null ? null : Number(row.emailVerifiedAt),
    signature: row.signature ?? null,
    availabilityChoice: row.availabilityChoice ?? null,
    lastSeenAt: row.lastSeenAt === null || row.lastSeenAt === undefined ? null : Number(row.lastSeenAt),
    createdAt: Number(row.createdAt),
    updatedAt: Number(row.updatedAt),
  };
}

export function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    userId: Number(row.userId),
    csrfToken: row.csrfToken,
    createdAt: Number(row.createdAt),
    expiresAt: Number(row.expiresAt),
    lastSeenAt: Number(row.lastSeenAt),
  };
}

export function toApiToken(row: ApiTokenRow): ApiToken {
  return {
    id: Number(row.id),
    userId: Number(row.userId),
    name: row.name,
    createdAt: Number(row.createdAt),
    lastUsedAt: row.lastUsedAt === null ? null : Number(row.lastUsedAt),
  };
}
