import { useCallback, useEffect, useRef, useState } from 'react';
import type { Conversation } from '../api/types';

// Which conversations of the list the bulk bar acts on: rows ticked one by one (click), a
// range (shift-click from the last one ticked), every loaded row ("select all on this
// page"), or every conversation matching the view, which the server fixes when the job starts.

export type Selection = {
  ids: ReadonlySet<number>;
  /** "All N matching this view": the server takes the list's query, not these ids. */
  allMatching: boolean;
  toggle(id: number, range?: boolean): void;
  selectPage(): void;
  selectAllMatching(): void;
  clear(): void;
};

export function useSelection(items: readonly Conversation[], viewKey: string): Selection {
  const [ids, setIds] = useState<ReadonlySet<number>>(() => new Set());
  const [allMatching, setAllMatching] = useState(false);
  const anchor = useRef<number | null>(null);
  const latest = useRef(items);
  latest.current = items;

  // Another view is another list: what was ticked in the last one is not in this one.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the view's key is the trigger
  useEffect(() => {
    setIds(new Set());
    setAllMatching(false);
    anchor.current = null;
  }, [viewKey]);

  const toggle = useCallback((id: number, range = false) => {
    const list = latest.current;
    setAllMatching(false);
    setIds((current) => {
      const next = new Set(current);
      const from = anchor.current === null ? -1 : list.findIndex((c) => c.id === anchor.current);
      const to = list.findIndex((c) => c.id === id);
      if (range && from >= 0 && to >= 0) {
        // A range takes the anchor's state: ticking from a ticked row ticks the rows between.
        const on = current.has(anchor.current!);
        for (let i = Math.min(from, to); i <= Math.max(from, to); i++) {
          if (on) next.add(list[i]!.id);
          else next.delete(list[i]!.id);
        }
      } else if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
    if (!range) anchor.current = id;
  }, []);

  const selectPage = useCallback(() => {
    setAllMatching(false);
    setIds(new Set(latest.current.map((c) => c.id)));
  }, []);
  const selectAllMatching = useCallback(() => {
    setIds(new Set(latest.current.map((c) => c.id)));
    setAllMatching(true);
  }, []);
  const clear = useCallback(() => {
    setIds(new Set());
    setAllMatching(false);
    anchor.current = null;
  }, []);

  return { ids, allMatching, toggle, selectPage, selectAllMatching, clear };
}

/** How many conversations the view matches, from its counts by status; none for the views a bulk job cannot take as a query. */
export function matchingCount(
  params: { status?: readonly string[]; mentioned?: string; participating?: string },
  counts: Record<string, number> | undefined,
  capped: boolean,
): { n: number; capped: boolean } | undefined {
  if (!counts || params.mentioned || params.participating) return undefined;
  const statuses = params.status?.length ? params.status : Object.keys(counts);
  return { n: statuses.reduce((sum, s) => sum + (counts[s] ?? 0), 0), capped };
}
