// The widget API's shapes, as the server answers them at /api/widget/*. Written out here
// rather than imported from the server's schemas so the bundle's type check does not
// depend on server code.

export type WidgetConfig = {
  teamName: string;
  online: boolean;
  greeting: string;
  offlineMessage: string;
  preChat: 'off' | 'optional' | 'required';
  helpUrl: string;
};

export type Conversation = {
  id: number;
  number: string;
  status: 'open' | 'pending' | 'resolved' | 'closed';
  handler: 'bot' | 'team';
};

export type Attachment = { id: number; name: string; contentType: string; size: number; url: string };

export type Message = {
  id: number;
  body: string;
  /** A team member's formatting, as sanitised HTML; absent for plain text. */
  html?: string;
  sender: { type: 'customer' | 'admin' | 'bot'; name: string };
  attachments: Attachment[];
  sentAt: number;
};

export type Visitor = { name: string | null; email: string | null };

/** A signed-in user of the host site, vouched for by the host's HMAC of userId. */
export type Identity = { userId: string; email?: string; name?: string; hash: string };

/** Contact details the visitor typed (or the host passed unsigned). */
export type Details = { name?: string; email?: string };

export type Session = {
  visitorToken: string;
  visitor: Visitor;
  conversation: Conversation | null;
  messages: Message[];
  lastEventId: number;
};

export type Sent = { conversation: Conversation; message: Message; replies: Message[] };

/** No conversation when the visitor had none yet (nothing to hand over). */
export type Escalated = { conversation: Conversation | null; replies: Message[] };

/** The current chat's satisfaction survey (issue 19): a rating card while `open`. */
export type Survey = { conversationId: number; rating: number | null; comment: string | null; expiresAt: number; open: boolean };

export type LiveFrame =
  | { id: number; type: 'message.created'; data: Message }
  | { id: number; type: 'csat.updated'; data: { conversationId: number } }
  | { id: number; type: 'conversation.updated'; data: Conversation }
  | { type: 'typing'; data: { name: string; typing: boolean } }
  | { type: 'ready' };
