import type { RefObject } from 'preact';
import { useEffect } from 'preact/hooks';
import type { Chat, ChatState } from '../chat';

/** The attribute a message of the team's or the bot's carries, for this hook to find it. */
export const SEEN_ID = 'data-seen-id';

/**
 * Reports the team's and the bot's messages the visitor actually has in front of them: on
 * screen in the thread (at least half of the message, or half of the thread's height for
 * a long one), with the panel open and the page visible. A reply that only arrived in a
 * closed panel or a background tab is not "seen", so it is still mailed after the delay.
 */
export function useSeenReports(scroller: RefObject<HTMLElement>, state: ChatState, chat: Chat): void {
  // biome-ignore lint/correctness/useExhaustiveDependencies: state.messages is the trigger: a changed thread gets a new observer over its new elements.
  useEffect(() => {
    const root = scroller.current;
    if (!root || !state.open || typeof IntersectionObserver === 'undefined') return;
    const onScreen = new Set<number>();
    const report = () => {
      if (document.visibilityState !== 'visible' || !chat.getState().open || onScreen.size === 0) return;
      chat.sawOnScreen(Math.max(...onScreen));
    };
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const id = Number((entry.target as HTMLElement).getAttribute(SEEN_ID));
          const half = entry.intersectionRatio >= 0.5 || entry.intersectionRect.height >= (entry.rootBounds?.height ?? Infinity) / 2;
          if (entry.isIntersecting && half) onScreen.add(id);
          else onScreen.delete(id);
        }
        report();
      },
      { root, threshold: [0, 0.5, 1] },
    );
    // A new observer for a changed thread: it reports every message's place once to start with.
    for (const element of root.querySelectorAll(`[${SEEN_ID}]`)) observer.observe(element);
    document.addEventListener('visibilitychange', report);
    window.addEventListener('focus', report);
    return () => {
      observer.disconnect();
      document.removeEventListener('visibilitychange', report);
      window.removeEventListener('focus', report);
    };
  }, [scroller, state.open, state.messages, chat]);
}
