import { DomainError } from '../errors.js';
import type { InboxContext } from '../inbox/context.js';
import { type ImportedConversation, type ImportOutcome, importConversations } from './conversation.js';

// The import framework (issue 20 "One import framework"): a source reads and maps its
// records into conversations (or says why one cannot be, or that it only copies another);
// the runner writes them through importConversations, a group of conversations per
// transaction, and keeps the report. A record the commands refuse goes into the report with
// its reason; a fault of the database stops the run, and the next run continues where it
// stopped (every committed conversation is recorded with its source id).

export type SourceItem =
  | { kind: 'conversation'; record: ImportedConversation }
  /** Could not become a conversation or message (no identity, no text): why, for the report. */
  | { kind: 'refused'; sourceId: string; reason: string };

export type ImportSource = {
  name: string;
  /** How many conversations it will yield, when known (the progress bar's total). */
  total?: number;
  items(): AsyncIterable<SourceItem>;
  /** Lines for the report: values mapped by default, fields detected, … */
  notes(): string[];
  /** Messages skipped as copies of others imported anyway (the design's inbox_messages copies of ticket messages). */
  copies(): number;
};

export type ImportReport = {
  source: string;
  dryRun: boolean;
  /** `updated`: imported by an earlier run, and given the messages written there since. */
  conversations: { created: number; updated: number; alreadyImported: number; refused: number };
  messages: { created: number; skippedAsDuplicate: number; refused: number };
  refused: { sourceId: string; reason: string }[];
  notes: string[];
};

/** How many conversations commit together: enough to spread a commit's cost, few enough that a stop loses little and progress moves. */
const GROUP = { conversations: 50, messages: 500 };

/**
 * Imports a group in one unit; if the commands refuse one of them, the unit (and so the
 * group) rolls back and each is imported alone, so only that one is refused. What the
 * commands refuse (a bad address, a text too long) is the record's fault; anything else
 * (the database away) stops the run for a later one to continue.
 */
async function importGroup(ctx: InboxContext, group: ImportedConversation[], dryRun: boolean): Promise<(ImportOutcome | DomainError)[]> {
  try {
    return await importConversations(ctx, group, { dryRun });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
  }
  const outcomes: (ImportOutcome | DomainError)[] = [];
  for (const input of group) {
    outcomes.push(
      await importConversations(ctx, [input], { dryRun }).then(
        ([outcome]) => outcome!,
        (error: unknown) => {
          if (error instanceof DomainError) return error;
          throw error;
        },
      ),
    );
  }
  return outcomes;
}

export type ImportProgress = { done: number; total: number | null };

export async function runImport(
  ctx: InboxContext,
  source: ImportSource,
  options: { dryRun?: boolean; onProgress?: (progress: ImportProgress) => void } = {},
): Promise<ImportReport> {
  const report: ImportReport = {
    source: source.name,
    dryRun: options.dryRun ?? false,
    conversations: { created: 0, updated: 0, alreadyImported: 0, refused: 0 },
    messages: { created: 0, skippedAsDuplicate: 0, refused: 0 },
    refused: [],
    notes: [],
  };
  let done = 0;
  options.onProgress?.({ done, total: source.total ?? null });
  const record = (input: ImportedConversation, result: ImportOutcome | DomainError) => {
    if (result instanceof DomainError) {
      report.conversations.refused++;
      report.refused.push({ sourceId: input.sourceId, reason: result.message });
    } else {
      if (result.outcome === 'created') report.conversations.created++;
      else if (result.outcome === 'updated') report.conversations.updated++;
      else report.conversations.alreadyImported++;
      report.messages.created += result.messages;
    }
    options.onProgress?.({ done: ++done, total: source.total ?? null });
  };
  const flush = async (batch: ImportedConversation[]) => {
    const outcomes = await importGroup(ctx, batch, options.dryRun ?? false);
    for (const [i, input] of batch.entries()) record(input, outcomes[i]!);
  };
  let batch: ImportedConversation[] = [];
  const full = () => batch.length >= GROUP.conversations || batch.reduce((n, c) => n + c.messages.length, 0) >= GROUP.messages;
  for await (const item of source.items()) {
    if (item.kind === 'refused') {
      report.messages.refused++;
      report.refused.push({ sourceId: item.sourceId, reason: item.reason });
      continue;
    }
    batch.push(item.record);
    if (full()) {
      await flush(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await flush(batch);
  report.notes = source.notes();
  report.messages.skippedAsDuplicate = source.copies();
  return report;
}
