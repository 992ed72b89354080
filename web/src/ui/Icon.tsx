import type { Channel } from '../api/types';

// A few line icons as inline SVG: no icon font, nothing fetched.

const PATHS = {
  ticket: 'M4 7a2 2 0 0 1 2-2h12a2 2 0 0 1 2 2v2a2 2 0 0 0 0 4v2a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2v-2a2 2 0 0 0 0-4z',
  chatbot: 'M5 5h14a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1h-8l-4 3v-3H5a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1z',
  email: 'M4 6h16v12H4z M4 7l8 6 8-6',
  inbox: 'M4 13h4l2 3h4l2-3h4 M4 13l2-7h12l2 7v5H4z',
  user: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M4 20c1-4 4-6 8-6s7 2 8 6',
  users: 'M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z M2 20c.8-3.6 3.4-5.5 7-5.5s6.2 1.9 7 5.5 M16 4.5a3.5 3.5 0 0 1 0 6.5 M18 14.8c2 .7 3.4 2.4 4 5.2',
  tag: 'M3 12V4h8l10 10-8 8z M7.5 8.5h.01',
  search: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14z M20 20l-4-4',
  back: 'M15 5l-7 7 7 7',
  menu: 'M4 7h16 M4 12h16 M4 17h16',
  paperclip: 'M20 11l-8 8a5 5 0 0 1-7-7l8-8a3.5 3.5 0 0 1 5 5l-8 8a2 2 0 0 1-3-3l7-7',
  lock: 'M6 11h12v9H6z M8 11V8a4 4 0 0 1 8 0v3',
  trash: 'M5 7h14 M10 7V5h4v2 M7 7l1 13h8l1-13',
  close: 'M6 6l12 12 M18 6L6 18',
  chart: 'M4 20h16 M7 16v-5 M12 16V6 M17 16v-8',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, label, size = 16 }: { name: IconName; label?: string; size?: number }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
      focusable="false"
    >
      {label ? <title>{label}</title> : null}
      <path d={PATHS[name]} />
    </svg>
  );
}

export const channelIcon = (channel: Channel): IconName => channel;
