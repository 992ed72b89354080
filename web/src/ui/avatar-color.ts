// Avatar colours and initials, apart from the component so the browser tests can compute
// what a user's avatar must look like. The colour comes from the user id, not the name, so it
// stays when they rename themselves and two people with the same initials still differ.

/** Light backgrounds with dark text, each pair readable at 12 px (contrast above 4.5:1). */
export const AVATAR_COLORS = [
  { background: '#dbe3f8', color: '#1f3b8a' },
  { background: '#d5f0ec', color: '#0f5a52' },
  { background: '#fbe8c8', color: '#6e4300' },
  { background: '#fadbe1', color: '#8a1f3a' },
  { background: '#e7defa', color: '#4c2a8a' },
  { background: '#dcefd9', color: '#245c1c' },
  { background: '#e2e6ec', color: '#2e3a4d' },
  { background: '#fde0cf', color: '#8a3510' },
] as const;

export type AvatarColor = (typeof AVATAR_COLORS)[number];

/** The same colour for the same id on every page and every browser. */
export function avatarColor(id: number): AvatarColor {
  // Knuth's multiplicative hash spreads consecutive ids (the first team members) over the palette.
  const mixed = Math.imul(Math.abs(Math.trunc(id)), 2654435761) >>> 0;
  return AVATAR_COLORS[mixed % AVATAR_COLORS.length]!;
}

export const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => [...part][0]!.toUpperCase())
    .join('') || '?';
