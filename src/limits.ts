// Every size the commands enforce and the API's schemas declare, in one place, so the two
// never disagree (a schema allowing what a command refuses answers 400 with the wrong words,
// one refusing what the command allows hides a feature). Characters unless said otherwise.

/** A conversation's subject (one line). */
export const MAX_SUBJECT = 500;
/** A message's plain text. */
export const MAX_BODY = 1_000_000;
/** A message's HTML (mail as received, sanitized; inline images included). */
export const MAX_HTML_BODY = 5_000_000;

/** Tags per conversation, and the length of one. */
export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 50;

/** Whom an agent copies (Cc) on one message or conversation. */
export const MAX_CC = 20;
/** Addresses one forward goes to, and the note above it. */
export const MAX_FORWARD_RECIPIENTS = 10;
export const MAX_FORWARD_NOTE = 10_000;

/** A person's display name. */
export const MAX_NAME = 200;
/** An email address (RFC 5321's path limit). */
export const MAX_EMAIL = 254;

/** Rows per page of any list the API answers. */
export const MAX_PAGE = 100;
/** A search or filter string. */
export const MAX_QUERY = 200;

/** What a visitor types: the contact form's message and a chat message. */
export const MAX_VISITOR_MESSAGE = 20_000;

/** Knowledge base: an article's or category's title, an article's Markdown, a category's description. */
export const MAX_KB_TITLE = 200;
export const MAX_KB_BODY = 200_000;
export const MAX_KB_DESCRIPTION = 1_000;

/** A team's name (one line), its description, and how many people one team holds. */
export const MAX_TEAM_NAME = 100;
export const MAX_TEAM_DESCRIPTION = 1_000;
export const MAX_TEAM_MEMBERS = 500;
/** The most open conversations an assignment rule may let one member hold. */
export const MAX_CAPACITY = 1_000;

/** A saved view's name (one line), how many personal views one user keeps, and its filter's stored size. */
export const MAX_VIEW_NAME = 100;
// Each view's sidebar count is a few capped queries, so a user keeps a bounded number.
export const MAX_PERSONAL_VIEWS = 50;
export const MAX_VIEW_FILTER = 2_000;

/** Team members one internal note may mention (issue 16). */
export const MAX_MENTIONS = 50;

/** A canned reply's name (one line), shortcut (one word, typed after `/`), body, and how many personal ones a user keeps (issue 17). */
export const MAX_CANNED_NAME = 100;
export const MAX_CANNED_SHORTCUT = 32;
export const MAX_CANNED_BODY = 20_000;
export const MAX_PERSONAL_CANNED_REPLIES = 500;
/** Files kept with one canned reply; each within the attachment limits. */
export const MAX_CANNED_FILES = 10;
/** Canned replies whose files one message attaches. */
export const MAX_CANNED_PER_MESSAGE = 10;
/** How many replies one search of the composer's picker answers. */
export const CANNED_SEARCH_LIMIT = 20;

/** A macro's name, its actions, the text of one reply or note action, how many personal ones a user keeps, and how many conversations one apply takes (issue 17). */
export const MAX_MACRO_NAME = 100;
export const MAX_MACRO_ACTIONS = 20;
export const MAX_MACRO_TEXT = 20_000;
export const MAX_PERSONAL_MACROS = 100;
export const MAX_MACRO_CONVERSATIONS = 50;
