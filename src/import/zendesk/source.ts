import { openStaging } from '../../store/import-staging.js';
import type { Agent, AgentFor } from '../agents.js';
import type { ImportedAuthor, ImportedMessage } from '../conversation.js';
import type { ImportSource, SourceItem } from '../run.js';
import { pointInlineImages, type StoredFile } from './files.js';
import type { ZAttachment, ZComment, ZendeskReader, ZTicket, ZUser } from './reader.js';
import { channelOf, isAgent, priorityOf, ratingOf, statusOf, tagsOf, time } from './values.js';

// A Zendesk account as an import source (issue 20). Users, groups, organizations and ticket
// fields are read first (small); then every comment, in bulk from the incremental ticket
// events, is staged on disk by ticket; then the tickets stream in by the cursor export, and
// each becomes one conversation with its comments — a ticket the bulk stream had no comment
// for is read on its own (`/tickets/{id}/comments`). Deleted tickets are skipped (and
// counted in the report); archived ones come with the rest.

export type ZendeskSourceOptions = {
  /** `zendesk:acme.zendesk.com`: what the import records remember. */
  name: string;
  reader: ZendeskReader;
  /** The team member a Zendesk agent is here (import/agents.ts). */
  agentFor: AgentFor;
  /**
   * Which of a ticket's comments an earlier run imported (their files are then not
   * downloaded again), or null when it did not import the ticket: one question per ticket.
   */
  importedOf?: (ticketSourceId: string, commentSourceIds: readonly string[]) => Promise<ReadonlySet<string> | null>;
  /** Puts an attachment into the store (retried); throws when it cannot (its message is refused). */
  storeFile?: (file: ZAttachment) => Promise<StoredFile>;
};

/** Zendesk's author of machine-made comments (triggers, automations). */
const SYSTEM_AUTHOR = -1;

export async function zendeskSource(options: ZendeskSourceOptions): Promise<ImportSource & { close(): void }> {
  const { reader } = options;
  const notes = new Set<string>();
  const note = (line: string) => notes.add(line);
  // End users and organizations may be millions: they wait on disk with the comments.
  // Agents, groups and ticket fields are a team's few.
  const staging = openStaging();
  const agents = new Map<number, Agent | null>();
  const names = async (list: AsyncIterable<{ id: number; name?: string | null; title?: string | null }>) => {
    const map = new Map<number, string>();
    for await (const item of list) map.set(item.id, item.name || item.title || String(item.id));
    return map;
  };
  let groups: Map<number, string>;
  let fields: Map<number, string>;
  let total: number | null;
  const deleted: number[] = [];
  try {
    total = await reader.ticketCount();
    for await (const user of reader.users()) {
      staging.setUser(String(user.id), { id: user.id, name: user.name, email: user.email, organization_id: user.organization_id } satisfies ZUser);
      if (isAgent(user.role)) agents.set(user.id, user.email ? await options.agentFor({ email: user.email, name: user.name || user.email }) : null);
    }
    for await (const organization of reader.organizations()) staging.setUser(`org:${organization.id}`, organization.name || String(organization.id));
    groups = await names(reader.groups());
    fields = await names(reader.ticketFields());
    for await (const { ticketId, comment } of reader.comments()) staging.addMessage(`c:${ticketId}`, time(comment.created_at), comment);
  } catch (error) {
    staging.close();
    throw error;
  }
  const userOf = (id: number) => staging.user(String(id)) as ZUser | undefined;
  const organizationOf = (id: number) => staging.user(`org:${id}`) as string | undefined;

  async function* items(): AsyncIterable<SourceItem> {
    const seen = new Set<number>();
    for await (const ticket of reader.tickets()) {
      if (seen.has(ticket.id)) continue;
      seen.add(ticket.id);
      if (ticket.status === 'deleted') {
        deleted.push(ticket.id);
        continue;
      }
      let comments = staging.messagesOf(`c:${ticket.id}`) as ZComment[];
      if (comments.length === 0) {
        comments = [];
        for await (const comment of reader.ticketComments(ticket.id)) comments.push(comment);
      }
      yield* await conversationOf(ticket, comments);
    }
  }

  async function conversationOf(ticket: ZTicket, comments: ZComment[]): Promise<SourceItem[]> {
    const sourceId = `ticket:${ticket.id}`;
    const requester = userOf(ticket.requester_id);
    let email = requester?.email ?? '';
    if (!email) {
      // Zendesk keeps people without an address (chat, phone); the history still belongs to someone.
      email = `zendesk-user-${ticket.requester_id}@no-email.invalid`;
      note(`requesters without an address were given one like ${email}`);
    }
    // Known already: only comments written since then are new (files downloaded, refusals
    // reported); the run that wrote the rest reported theirs.
    const ordered = [...new Map(comments.map((c) => [c.id, c])).values()].sort((a, b) => time(a.created_at) - time(b.created_at) || a.id - b.id);
    const imported = await options.importedOf?.(
      sourceId,
      ordered.map((c) => `comment:${c.id}`),
    );
    const items: SourceItem[] = [];
    const messages: ImportedMessage[] = [];
    for (const comment of ordered) {
      const fresh = !imported?.has(`comment:${comment.id}`);
      const refuse = (reason: string) => fresh && items.push({ kind: 'refused', sourceId: `comment:${comment.id}`, reason });
      const stored: { file: ZAttachment; stored: StoredFile }[] = [];
      try {
        for (const file of comment.attachments ?? []) if (options.storeFile && fresh) stored.push({ file, stored: await options.storeFile(file) });
      } catch (error) {
        refuse(error instanceof Error ? error.message : String(error));
        continue;
      }
      const isPublic = comment.public !== false;
      const from = authorOf(comment.author_id, isPublic);
      if (typeof from === 'string') {
        refuse(from);
        continue;
      }
      const body = (comment.plain_body ?? comment.body ?? '').trim();
      if (!body && stored.length === 0) {
        refuse('empty comment');
        continue;
      }
      const messageId = comment.metadata?.system?.message_id;
      messages.push({
        sourceId: `comment:${comment.id}`,
        from,
        body: body || '(attachment)',
        htmlBody: comment.html_body
          ? pointInlineImages(
              comment.html_body,
              stored.filter((s) => s.file.inline),
            )
          : null,
        isInternal: !isPublic,
        sentAt: time(comment.created_at),
        attachments: stored.map((s) => s.stored),
        messageIds: messageId ? [messageId] : undefined,
      });
    }
    // The first public comment opens the conversation; notes written before it follow it.
    // One imported already is open: the record then carries what is new, whatever it is.
    const opener = messages.findIndex((m) => !m.isInternal);
    if (opener < 0 && !imported) return [...items, { kind: 'refused', sourceId, reason: 'no public comment' }];
    const status = statusOf(ticket.status, note);
    const assignee = ticket.assignee_id == null ? undefined : agents.get(ticket.assignee_id);
    if (assignee && !assignee.active) note('tickets of agents without an active account here were left unassigned');
    const customFields = Object.fromEntries(
      (ticket.custom_fields ?? []).filter((f) => f.value !== null && f.value !== '').map((f) => [fields.get(f.id) ?? String(f.id), f.value]),
    );
    const organization = ticket.organization_id ?? requester?.organization_id;
    const rating = ticket.satisfaction_rating;
    const rated = ratingOf(rating?.score);
    return [
      ...items,
      {
        kind: 'conversation',
        record: {
          source: options.name,
          sourceId,
          legacyRef: String(ticket.id),
          channel: channelOf(ticket.via?.channel),
          type: 'support',
          priority: priorityOf(ticket.priority, note),
          status,
          subject: (ticket.subject || ticket.raw_subject || '').trim() || '(no subject)',
          customer: { email, name: requester?.name || undefined },
          assignedTo: assignee?.active ? assignee.id : null,
          tags: tagsOf(ticket.type, ticket.tags ?? [], note),
          messages: opener < 0 ? messages : [messages[opener]!, ...messages.filter((_, i) => i !== opener)],
          endedAt: status === 'resolved' || status === 'closed' ? time(ticket.updated_at) : undefined,
          team: ticket.group_id == null ? undefined : groups.get(ticket.group_id),
          customFields,
          company: organization == null ? undefined : organizationOf(organization),
          csat: rated === null ? undefined : { rating: rated, comment: rating?.comment ?? null },
        },
      },
    ];
  }

  /** Public by an end user: the customer's; by an agent: the team's (private: a note); or why it cannot be. */
  function authorOf(authorId: number, isPublic: boolean): ImportedAuthor | string {
    const agent = agents.get(authorId);
    if (agent) return { userId: agent.id };
    if (agent === null) return 'by an agent whose address is a customer’s here (or who has none)';
    if (!isPublic) return 'a private comment not by an agent: notes here are the team’s';
    return authorId === SYSTEM_AUTHOR ? { bot: 'Zendesk' } : { customer: true };
  }

  return {
    name: options.name,
    total: total ?? undefined,
    items,
    notes: () => [
      ...notes,
      ...(deleted.length ? [`${deleted.length} deleted tickets skipped: ${deleted.slice(0, 20).join(', ')}${deleted.length > 20 ? ', …' : ''}`] : []),
    ],
    copies: () => 0,
    close: () => staging.close(),
  };
}
