import { useState } from 'preact/hooks';
import type { Chat } from '../chat';
import type { Survey } from '../types';

// The satisfaction survey as a card under the chat (issue 19): five choices, an optional
// comment, one button. Once rated it says thanks, and the rating can be changed while the
// survey is open (14 days).

const WORDS = ['Very dissatisfied', 'Dissatisfied', 'Neutral', 'Satisfied', 'Very satisfied'];

export function RatingCard({ chat, survey }: { chat: Chat; survey: Survey }) {
  const [editing, setEditing] = useState(false);
  const [rating, setRating] = useState<number | null>(survey.rating);
  const [comment, setComment] = useState(survey.comment ?? '');
  const [sending, setSending] = useState(false);
  if (!survey.open) return null;

  if (survey.rating !== null && !editing) {
    return (
      <section class="rating-card" aria-label="Rate this chat">
        <p>
          Thanks for rating this chat {survey.rating} of 5.{' '}
          <button type="button" class="link" onClick={() => setEditing(true)}>
            Change
          </button>
        </p>
      </section>
    );
  }

  async function submit(event: Event) {
    event.preventDefault();
    if (rating === null) return;
    setSending(true);
    if (await chat.rate(rating, comment)) setEditing(false);
    setSending(false);
  }

  return (
    <form class="rating-card" aria-label="Rate this chat" onSubmit={(event) => void submit(event)}>
      <p>How did we do?</p>
      <fieldset class="rating-choices" aria-label="Your rating">
        {WORDS.map((words, i) => (
          <label key={words} title={words} class={rating === i + 1 ? 'choice chosen' : 'choice'}>
            <input
              type="radio"
              name="onethread-rating"
              value={i + 1}
              checked={rating === i + 1}
              aria-label={`${i + 1}: ${words}`}
              onChange={() => setRating(i + 1)}
            />
            {i + 1}
          </label>
        ))}
      </fieldset>
      <textarea
        aria-label="Comment (optional)"
        placeholder="Anything to add? (optional)"
        maxLength={2000}
        rows={2}
        value={comment}
        onInput={(event) => setComment(event.currentTarget.value)}
      />
      <button type="submit" disabled={rating === null || sending}>
        Send rating
      </button>
    </form>
  );
}
