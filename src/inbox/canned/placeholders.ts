// Placeholders in a canned reply's body, filled for one conversation. Pure: the server
// renders with it (GET /api/canned-replies/:id/render) and the message commands refuse a
// team member's public message that still holds one (commands/message-content.ts).

/** What a body is filled from; a value null or blank has nothing to fill in. */
export type PlaceholderValues = {
  customer: { name: string | null; email: string | null };
  conversation: { number: string | null; subject: string | null };
  agent: { name: string | null };
};

/** `{{word.word}}`, spaces inside the braces allowed: the form a placeholder takes. */
const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\.([A-Za-z]+)\s*\}\}/g;

const firstWord = (name: string | null) => name?.trim().split(/\s+/)[0] ?? null;

/**
 * A customer whose name is only their address's local part (nameForCustomer's fallback, for
 * mail without a display name) has no name we know: "Hi jsmith42" is worse than asking.
 */
function knownName(customer: PlaceholderValues['customer']): string | null {
  const name = customer.name?.trim();
  if (!name) return null;
  if (customer.email && name.toLowerCase() === customer.email.split('@')[0]!.toLowerCase()) return null;
  return name;
}

function placeholderValue(values: PlaceholderValues, object: string, field: string): string | null {
  switch (`${object}.${field}`) {
    case 'customer.name':
      return knownName(values.customer);
    case 'customer.firstName':
      return firstWord(knownName(values.customer));
    case 'customer.email':
      return values.customer.email;
    case 'conversation.number':
      return values.conversation.number;
    case 'conversation.subject':
      return values.conversation.subject;
    case 'agent.name':
      return values.agent.name;
    case 'agent.firstName':
      return firstWord(values.agent.name);
    default:
      return null;
  }
}

/**
 * The body with every placeholder that has a value filled in. One unknown, or without a
 * value, stays as written and is listed in `missing` (once, in order of appearance).
 */
export function fillPlaceholders(body: string, values: PlaceholderValues): { body: string; missing: string[] } {
  const missing: string[] = [];
  const filled = body.replace(PLACEHOLDER, (written, object: string, field: string) => {
    const value = placeholderValue(values, object, field)?.trim();
    if (value) return value;
    if (!missing.includes(written)) missing.push(written);
    return written;
  });
  return { body: filled, missing };
}

/** The placeholders a text still holds, as written, once each. */
export function placeholdersIn(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(PLACEHOLDER), (m) => m[0]))];
}
