import type { Conversation } from '../api/types';
import { AddressList } from './AddressList';
import './mail.css';

// The composer's To/Cc row on an email conversation: a reply goes To the customer and Cc
// the conversation's participants. What the agent changes here goes with the reply and
// becomes the participants (POST …/messages `cc`); untouched, the reply copies them as
// they are on the server when it is sent, including anyone who joined meanwhile.

/** Whom the reply copies: the agent's list once they changed it, else the participants. */
export function ccOf(conversation: Conversation, edited: string[] | null): string[] {
  return edited ?? (conversation.participants ?? []).map((p) => p.email);
}

export function Recipients({ conversation, edited, onEdit }: { conversation: Conversation; edited: string[] | null; onEdit(cc: string[]): void }) {
  const names = new Map((conversation.participants ?? []).filter((p) => p.name).map((p) => [p.email, p.name]));
  const { name, email } = conversation.customer;
  return (
    <div className="recipients">
      <p className="recipients-to">
        To: <strong>{name && name !== email ? `${name} <${email}>` : email}</strong>
      </p>
      <AddressList label="Cc" addresses={ccOf(conversation, edited)} names={names} onChange={onEdit} placeholder="Copy someone (Cc)" />
    </div>
  );
}
