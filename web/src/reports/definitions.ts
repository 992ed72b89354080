// What each figure means, shown in the tiles' and columns' tooltips and in the page's
// definitions list: the same words as docs/ and issue 19, so a lead can trust a number.

export const CARE_CYCLE =
  'A care cycle runs from the conversation’s creation, a reopen, or the bot handing a chat to a person, until it is resolved or closed.';

export const BUSINESS_TIME =
  'Business time counts only the business hours of the calendar in force when each figure was recorded; a later change of hours does not rewrite it.';

export const HISTOGRAM = 'Medians and p90 come from a histogram of the durations, within ±17 %.';

export const DEFINITIONS = {
  created: 'Conversations created in the period, on any channel. Imported history, spam and noise are left out.',
  resolved: `Care cycles resolved or closed in the period, each counted for the person who resolved it. ${CARE_CYCLE}`,
  firstResponse: `First response: from the start of a care cycle to the first public reply by a person of the team — never an internal note, the bot or an automatic acknowledgement. ${CARE_CYCLE}`,
  firstResponseMedian: 'Half the care cycles got their first response faster than this.',
  firstResponseP90: 'Nine in ten care cycles got their first response within this time.',
  replyTime: 'Reply time: from the customer’s first message after the team’s last reply to the team’s next public reply by a person.',
  resolution: `Resolution time: from the start of the care cycle to resolved, so a reopened conversation starts anew instead of counting from its creation. ${CARE_CYCLE}`,
  csatScore: 'CSAT score: the share of answered satisfaction surveys rated 4 or 5 out of 5.',
  csatResponse: 'Response rate: surveys answered out of surveys sent in the period.',
  handled:
    'Agents: care cycles they sent a public reply in (a conversation reopened and answered again counts again). Teams and channels: conversations created.',
  replies: 'Public replies sent by people of the team (not notes, not the bot).',
} as const;

/** A tile's or column's full tooltip: the definition, how durations are measured, in which time. */
export function durationHelp(definition: string, business: boolean, detail?: string): string {
  return [detail, definition, HISTOGRAM, business ? BUSINESS_TIME : 'Shown in calendar time; switch on business hours to count only opening hours.']
    .filter(Boolean)
    .join(' ');
}
