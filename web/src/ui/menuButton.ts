import type { KeyboardEvent } from 'react';

// The WAI-ARIA menu button, as the conversation header's menus (Macros, Snooze, Mark as spam)
// use it: ↓ on the button opens the menu on its first item, arrows, Home and End move among
// the items, Escape closes it and returns to the button, Tab leaves it closed.

/** The button's keys: ↓ opens the closed menu, Escape closes the open one. */
export function onMenuButtonKey(event: KeyboardEvent, open: boolean, setOpen: (open: boolean) => void): void {
  if (event.key === 'ArrowDown' && !open) {
    event.preventDefault();
    setOpen(true);
  } else if (event.key === 'Escape' && open) {
    event.preventDefault();
    event.stopPropagation();
    setOpen(false);
  }
}

/** The open menu's keys; `close` returns focus to the button, `leave` only closes (Tab moves on). */
export function onMenuKey(event: KeyboardEvent, menu: HTMLElement | null, close: () => void, leave: () => void): void {
  const items = Array.from(menu?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? []);
  const at = items.indexOf(document.activeElement as HTMLButtonElement);
  const move = (to: number) => {
    event.preventDefault();
    items[(to + items.length) % items.length]?.focus();
  };
  if (event.key === 'ArrowDown') move(at + 1);
  else if (event.key === 'ArrowUp') move(at - 1);
  else if (event.key === 'Home') move(0);
  else if (event.key === 'End') move(items.length - 1);
  else if (event.key === 'Escape') {
    event.preventDefault();
    event.stopPropagation();
    close();
  } else if (event.key === 'Tab') leave();
}
