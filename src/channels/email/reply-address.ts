import { createHmac, timingSafeEqual } from 'node:crypto';

// Signed reply addresses and the hidden marker. A reply token names a conversation and
// carries an HMAC of its id, so nobody can make their mail land in someone else's
// conversation by guessing numbers:
//
//   token      c<conversation id>-<16 hex digits: HMAC-SHA256(secret, "onethread-reply:<id>")>
//   address    <support local part>+<token>@<support domain>     support+c123-0f3a…@example.com
//   marker     [ot:<token>]   the last line of our outgoing text part, and a hidden
//              <div data-ot-ref="<token>">[ot:<token>]</div> at the end of the HTML part.
//
// Tokens are lower-case only: some mail systems lower-case local parts. The marker is for
// providers that rewrite our Message-ID and replies that drop our Reply-To: the quoted
// text of the reply usually still carries it.

const TOKEN = /^c(\d{1,15})-([0-9a-f]{16})$/;
const MARKER = /\[ot:(c\d{1,15}-[0-9a-f]{16})\]/gi;

export class ReplyTokens {
  constructor(private readonly secret: string) {
    if (secret.length < 16) throw new Error('the reply-address secret must be at least 16 characters');
  }

  private mac(conversationId: number): string {
    return createHmac('sha256', this.secret).update(`onethread-reply:${conversationId}`).digest('hex').slice(0, 16);
  }

  token(conversationId: number): string {
    return `c${conversationId}-${this.mac(conversationId)}`;
  }

  /** The conversation a token names, or null when it is malformed or forged. */
  verify(token: string): number | null {
    const match = TOKEN.exec(token.trim().toLowerCase());
    if (!match) return null;
    const id = Number(match[1]);
    if (!Number.isSafeInteger(id) || id <= 0) return null;
    const expected = Buffer.from(this.mac(id));
    const given = Buffer.from(match[2]!);
    return expected.length === given.length && timingSafeEqual(expected, given) ? id : null;
  }

  /** `support+<token>@domain` for a support address. */
  replyAddress(supportAddress: string, conversationId: number): string {
    const at = supportAddress.lastIndexOf('@');
    return `${supportAddress.slice(0, at)}+${this.token(conversationId)}${supportAddress.slice(at)}`;
  }

  markerText(conversationId: number): string {
    return `[ot:${this.token(conversationId)}]`;
  }

  markerHtml(conversationId: number): string {
    const token = this.token(conversationId);
    return `<div data-ot-ref="${token}" style="display:none;max-height:0;overflow:hidden;font-size:0;color:transparent">[ot:${token}]</div>`;
  }

  /** The first valid marker's conversation in these texts (our quoted mail inside a reply). */
  findMarker(...texts: (string | null | undefined)[]): number | null {
    for (const text of texts) {
      if (!text) continue;
      for (const match of text.matchAll(MARKER)) {
        const id = this.verify(match[1]!);
        if (id !== null) return id;
      }
    }
    return null;
  }
}

/** The configured support addresses and the `+tag` addresses under them. */
export class SupportAddresses {
  readonly addresses: readonly string[];

  constructor(addresses: readonly string[]) {
    this.addresses = addresses.map((a) => a.trim().toLowerCase()).filter(Boolean);
    if (this.addresses.length === 0) throw new Error('at least one support address is needed');
  }

  get primary(): string {
    return this.addresses[0]!;
  }

  /** For an address at a support address (with or without `+tag`): that support address and the tag. */
  match(address: string): { support: string; tag: string | null } | null {
    const lower = address.trim().toLowerCase().replace(/^<|>$/g, '');
    const at = lower.lastIndexOf('@');
    if (at <= 0) return null;
    const local = lower.slice(0, at);
    const domain = lower.slice(at + 1);
    const plus = local.indexOf('+');
    const base = `${plus === -1 ? local : local.slice(0, plus)}@${domain}`;
    if (!this.addresses.includes(base)) return null;
    return { support: base, tag: plus === -1 ? null : local.slice(plus + 1) };
  }

  /** Whether mail from this address is our own (a support address or one of its reply addresses). */
  isOwn(address: string | null | undefined): boolean {
    return address ? this.match(address) !== null : false;
  }
}
