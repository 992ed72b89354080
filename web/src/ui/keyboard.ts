import { useEffect, useRef } from 'react';

// Single-key shortcuts (j, k, r, …) for the whole app from one listener. They never fire
// while the person types in a field, or with a modifier held (those belong to the
// browser), and the most recently mounted handler for a key wins.

type Handler = (event: KeyboardEvent) => void;
const handlers = new Map<string, Handler[]>();

export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
  return false;
}

function onKeyDown(event: KeyboardEvent) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (isTyping(event.target)) return;
  // A modal dialog owns the keyboard while it is open.
  if (document.querySelector('dialog[open]')) return;
  const list = handlers.get(event.key);
  const handler = list?.[list.length - 1];
  if (!handler) return;
  handler(event);
}

window.addEventListener('keydown', onKeyDown);

export function useShortcut(key: string, handler: Handler, enabled = true): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    if (!enabled) return;
    const entry: Handler = (event) => latest.current(event);
    const list = handlers.get(key) ?? [];
    list.push(entry);
    handlers.set(key, list);
    return () => {
      const current = handlers.get(key) ?? [];
      handlers.set(
        key,
        current.filter((h) => h !== entry),
      );
    };
  }, [key, enabled]);
}

export const SHORTCUTS: [string, string][] = [
  ['j / k', 'Next / previous conversation'],
  ['Enter', 'Open the selected conversation'],
  ['c', 'New conversation by email'],
  ['r', 'Reply'],
  ['n', 'Internal note'],
  ['e', 'Resolve'],
  ['a', 'Assign to me'],
  ['/', 'Search'],
  ['Ctrl/⌘ + Enter', 'Send'],
  ['Esc', 'Back to the list (phone), close dialogs'],
  ['?', 'Show these shortcuts'],
];
