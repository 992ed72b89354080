// `@Name` in an internal note names a team member. Names may hold spaces ("@Ann Lee"), so
// each `@` takes the longest active member's name that follows it, ending at a non-word
// character: "@Ann Leeds" is nobody when only Ann Lee and Ann exist, but "@Ann, …" is Ann.

type Member = { id: number; name: string };

const WORD = /[\p{L}\p{N}_]/u;

export function findMentionedIds(body: string, members: readonly Member[]): number[] {
  const byLength = members.filter((m) => m.name.trim() !== '').sort((a, b) => b.name.length - a.name.length);
  const lower = body.toLowerCase();
  const found = new Set<number>();
  for (let at = lower.indexOf('@'); at !== -1; at = lower.indexOf('@', at + 1)) {
    // An address (ann@example.com) is no mention.
    if (at > 0 && WORD.test(body[at - 1]!)) continue;
    const hit = byLength.find((m) => {
      const name = m.name.toLowerCase();
      if (!lower.startsWith(name, at + 1)) return false;
      const next = body[at + 1 + name.length];
      return next === undefined || !WORD.test(next);
    });
    if (hit) found.add(hit.id);
  }
  return [...found];
}
