import { DomainError, invalid, notFound } from '../../errors.js';
import { type BlockedSender, type BlockKind, deleteBlock, findBlock, findBlocks, findTeamMemberMatching, insertBlock } from '../../store/blocked-senders.js';
import type { Tx } from '../../store/transaction.js';
import { type Actor, normalizeEmail, type ResolvedActor, resolveActor } from '../actors.js';
import { canManageBlockList, canUnblock, isTeam } from '../policies.js';
import { type CommandTarget, runCommand, type Unit } from './unit.js';

// The block list: addresses and domains whose new conversations and messages land in Spam
// (commands/spam.ts). Blocking is a team member's act when marking a conversation as spam,
// or an admin's from the list; unblocking is an admin's, or the one who blocked it undoing
// their own (docs/security.md). Nobody blocks a team member's address or domain, nor our own
// support addresses: the team would stop hearing itself, and mail we send to ourselves
// (a forward, a bounce) would vanish into Spam.

export type { BlockedSender, BlockKind };

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** `ann@x.com` blocks that address; `x.com` (or `@x.com`) the whole domain, not its subdomains. Lower-cased. */
export function blockValue(input: string): { value: string; kind: BlockKind } {
  const trimmed = input.trim().toLowerCase();
  if (trimmed.includes('@') && !trimmed.startsWith('@')) return { value: normalizeEmail(trimmed, 'value'), kind: 'address' };
  const domain = trimmed.replace(/^@/, '');
  if (!DOMAIN.test(domain)) throw invalid('value', `"${input.slice(0, 80)}" is neither an email address nor a domain`);
  return { value: domain, kind: 'domain' };
}

/** What an arriving address is blocked by: the address itself or its domain. */
export function blockKeys(email: string): string[] {
  const lower = email.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  return at > 0 ? [lower, lower.slice(at + 1)] : [lower];
}

export async function isBlockedSender(tx: Tx, email: string): Promise<boolean> {
  return (await findBlocks(tx, blockKeys(email))).length > 0;
}

/** `ann+tag@x.com` is `ann@x.com` for our own addresses (reply addresses carry a tag). */
const baseAddress = (address: string) => address.replace(/\+[^@]*@/, '@');

async function refuseOwn(tx: Tx, block: { value: string; kind: BlockKind }, ownAddresses: readonly string[]): Promise<void> {
  const own = ownAddresses.map((a) => a.trim().toLowerCase());
  const ours = block.kind === 'address' ? own.find((a) => a === baseAddress(block.value)) : own.find((a) => a.slice(a.lastIndexOf('@') + 1) === block.value);
  if (ours)
    throw invalid('block', `${block.value} is ${block.kind === 'address' ? '' : 'the domain of '}our own support address ${ours}: it cannot be blocked`);
  const member = await findTeamMemberMatching(tx, block.kind === 'address' ? { address: block.value } : { domain: block.value });
  if (member) {
    throw invalid(
      'block',
      `${block.value} is ${block.kind === 'address' ? 'a team member’s address' : `the domain of team member ${member}`}: it cannot be blocked`,
    );
  }
}

export type BlockInput = { value: string; kind: BlockKind; conversationId: number | null; ownAddresses?: readonly string[] };

/** Adds a block in the unit (an existing one for the value stays as it is); the caller checked who may. */
export async function addBlock(unit: Unit, actor: ResolvedActor, input: BlockInput, now: number): Promise<BlockedSender> {
  if (actor.id === null || !isTeam(actor)) throw new DomainError('forbidden', 'only the team blocks senders');
  await refuseOwn(unit.tx, input, input.ownAddresses ?? []);
  return insertBlock(unit.tx, { value: input.value, kind: input.kind, createdBy: actor.id, createdAt: now, conversationId: input.conversationId });
}

/** An admin blocks an address or domain from the list. */
export function blockSender(target: CommandTarget, input: { value: string; by: Actor; ownAddresses?: readonly string[] }): Promise<BlockedSender> {
  const block = blockValue(input.value);
  return runCommand(target, async (unit, now) => {
    const actor = await resolveActor(unit.tx, input.by, now);
    if (!canManageBlockList(actor)) throw new DomainError('forbidden', 'only an admin adds to the block list; mark a conversation as spam to block its sender');
    return addBlock(unit, actor, { ...block, conversationId: null, ownAddresses: input.ownAddresses }, now);
  });
}

/** Lifts a block: their next conversation lands in the inbox again. What is in Spam stays there. */
export function unblockSender(target: CommandTarget, input: { id: number; by: Actor }): Promise<void> {
  return runCommand(target, async (unit, now) => {
    const actor = await resolveActor(unit.tx, input.by, now);
    if (!isTeam(actor)) throw new DomainError('forbidden', 'only the team manages the block list');
    const block = await findBlock(unit.tx, input.id);
    if (!block) throw notFound('blocked sender');
    if (!canUnblock(actor, block)) throw new DomainError('forbidden', 'only an admin, or whoever blocked it, lifts a block');
    await deleteBlock(unit.tx, input.id);
  });
}
