import { slugTaken } from '../store/kb.js';
import type { Tx } from '../store/transaction.js';

const MAX_SLUG = 80;

/** A readable URL part: "How do I reset my password?" → "how-do-i-reset-my-password". */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_SLUG)
    .replace(/-+$/, '');
  return slug || 'article';
}

/** The slug, or the first free "slug-2", "slug-3"… The unique index still decides races. */
export async function uniqueSlug(tx: Tx, table: 'kb_articles' | 'kb_categories', text: string, exceptId?: number): Promise<string> {
  const base = slugify(text);
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!(await slugTaken(tx, table, candidate, exceptId))) return candidate;
  }
}
