import type { Store } from '../../store/database.js';
import { countConversationsForRebuild, listConversationIdsForRebuild, type RebuildRange } from '../../store/report-facts.js';
import { transact } from '../../store/transaction.js';
import { replayConversation } from './replay.js';

// `npx onethread reports rebuild [--from --to] [--include-imported]` (issue 19 "Storage"):
// every conversation with activity in the range gets its facts recomputed from its history,
// one transaction per conversation, so a rebuild can be stopped and run again at any point
// and the commands go on meanwhile (each replay locks its conversation as a command does).
// Idempotent: a second run writes the same facts and rollups.

const PAGE = 500;

export type RebuildProgress = { done: number; total: number; facts: number };

export async function rebuildReports(
  store: Store,
  options: RebuildRange & { includeImported?: boolean; onProgress?: (progress: RebuildProgress) => void } = {},
): Promise<RebuildProgress> {
  const range = { from: options.from, to: options.to };
  const progress: RebuildProgress = { done: 0, total: await countConversationsForRebuild(store.db, range), facts: 0 };
  options.onProgress?.(progress);
  for (let after = 0; ; ) {
    const ids = await listConversationIdsForRebuild(store.db, range, after, PAGE);
    for (const id of ids) {
      progress.facts += await transact(store, (tx) => replayConversation(tx, store, id, { includeImported: options.includeImported }));
      progress.done++;
      options.onProgress?.(progress);
    }
    if (ids.length < PAGE) break;
    after = ids[ids.length - 1]!;
  }
  return progress;
}
