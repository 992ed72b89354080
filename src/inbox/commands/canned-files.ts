import { DomainError, invalid, notFound } from '../../errors.js';
import { MAX_CANNED_FILES, MAX_CANNED_PER_MESSAGE } from '../../limits.js';
import { type CannedFile, deleteCannedFile, insertCannedFiles, listCannedFiles } from '../../store/canned-files.js';
import { findCannedReply } from '../../store/canned-replies.js';
import type { NewAttachment } from '../../store/messages.js';
import type { Actor } from '../actors.js';
import { canUseCannedReply } from '../policies.js';
import { manageable, member } from './canned-replies.js';
import { type CommandTarget, runCommand, type Unit } from './unit.js';

// A canned reply's files: stored once, as blobs (the upload stores them before the command
// runs), and attached again to every message that uses the reply, without a new upload.

/** Adds files to a reply its member may manage; at most MAX_CANNED_FILES in all. */
export function addCannedFiles(target: CommandTarget, input: { id: number; files: readonly NewAttachment[]; by: Actor }): Promise<CannedFile[]> {
  return runCommand(target, async (unit, now) => {
    const who = await member(unit.tx, input.by, now);
    const reply = await manageable(unit.tx, who, input.id);
    const kept = await listCannedFiles(unit.tx, [reply.id]);
    if (kept.length + input.files.length > MAX_CANNED_FILES)
      throw new DomainError('conflict', `a canned reply keeps at most ${MAX_CANNED_FILES} files`, 'files');
    await insertCannedFiles(unit.tx, reply.id, input.files, now);
    return listCannedFiles(unit.tx, [reply.id]);
  });
}

export function removeCannedFile(target: CommandTarget, input: { id: number; fileId: number; by: Actor }): Promise<void> {
  return runCommand(target, async (unit, now) => {
    const who = await member(unit.tx, input.by, now);
    const reply = await manageable(unit.tx, who, input.id);
    if (!(await deleteCannedFile(unit.tx, reply.id, input.fileId))) throw notFound('file');
  });
}

/**
 * The files of the replies a message uses, as its attachments: read in the message's unit,
 * so a file removed meanwhile is either attached or not, never half. A reply the member may
 * not use is not found, as everywhere.
 */
export async function cannedAttachments(unit: Unit, replyIds: readonly number[], by: Actor): Promise<NewAttachment[]> {
  const ids = [...new Set(replyIds)];
  if (ids.length === 0) return [];
  if (ids.length > MAX_CANNED_PER_MESSAGE) throw invalid('cannedReplyIds', `a message uses the files of at most ${MAX_CANNED_PER_MESSAGE} canned replies`);
  const who = await member(unit.tx, by, unit.ctx.clock());
  for (const id of ids) {
    const reply = await findCannedReply(unit.tx, id);
    if (!reply || !canUseCannedReply(who, reply)) throw notFound('canned reply');
  }
  return (await listCannedFiles(unit.tx, ids)).map(({ name, contentType, size, sha256 }) => ({ name, contentType, size, sha256 }));
}
