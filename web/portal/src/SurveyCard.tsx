import { useEffect, useState } from 'react';
import { useSubmit } from '../../src/ui/useSubmit';
import { api } from './api';

// The satisfaction survey on a resolved conversation (issue 19): shown once the team asked
// (after the delay that follows a resolve), answered and changed here while it is open.

type Survey = { id: number; rating: number | null; comment: string | null; expiresAt: number; open: boolean };

const WORDS = ['Very dissatisfied', 'Dissatisfied', 'Neutral', 'Satisfied', 'Very satisfied'];

/** `version`: bumped by the page on every live change of the conversation, so a survey sent meanwhile shows. */
export function SurveyCard({ conversationId, version }: { conversationId: number; version: number }) {
  const [survey, setSurvey] = useState<Survey | null>(null);
  const [editing, setEditing] = useState(false);
  const [rating, setRating] = useState<number | null>(null);
  const [comment, setComment] = useState('');

  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the trigger: a live change may be the survey's.
  useEffect(() => {
    let current = true;
    api<{ survey: Survey | null }>('GET', `/api/conversations/${conversationId}/csat`)
      .then(({ survey: found }) => {
        if (!current) return;
        setSurvey(found);
        setRating((chosen) => chosen ?? found?.rating ?? null);
      })
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [conversationId, version]);

  const { busy, error, submit } = useSubmit(async () => {
    if (rating === null) return;
    const saved = await api<{ survey: Survey }>('PUT', `/api/conversations/${conversationId}/csat`, { body: { rating, comment: comment.trim() || null } });
    setSurvey(saved.survey);
    setEditing(false);
  });

  if (!survey?.open) return null;
  if (survey.rating !== null && !editing) {
    return (
      <section className="card survey" aria-label="Your rating">
        <p>
          Thank you: you rated this conversation {survey.rating} of 5.{' '}
          <button type="button" className="link" onClick={() => setEditing(true)}>
            Change
          </button>
        </p>
      </section>
    );
  }
  return (
    <form className="card survey" aria-label="Rate this conversation" onSubmit={submit}>
      <fieldset>
        <legend>How did we do?</legend>
        {WORDS.map((words, i) => (
          <label key={words}>
            <input type="radio" name="rating" value={i + 1} checked={rating === i + 1} onChange={() => setRating(i + 1)} /> {i + 1} – {words}
          </label>
        ))}
      </fieldset>
      <label>
        Anything to add? (optional)
        <textarea rows={3} maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} />
      </label>
      {error && <p role="alert">{error}</p>}
      <button type="submit" disabled={busy || rating === null}>
        {busy ? 'Sending…' : 'Send rating'}
      </button>
    </form>
  );
}
