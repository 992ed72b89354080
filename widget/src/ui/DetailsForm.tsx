import { useState } from 'preact/hooks';
import type { Details, Visitor } from '../types';

type Props = {
  intro: string;
  askName: boolean;
  required: boolean;
  submitLabel: string;
  visitor: Visitor;
  onSave(details: Details): Promise<void>;
  onSkip?: () => void;
};

/** The pre-chat form, and (email only) the offline request for an address to reply to. */
export function DetailsForm({ intro, askName, required, submitLabel, visitor, onSave, onSkip }: Props) {
  const [name, setName] = useState(visitor.name ?? '');
  const [email, setEmail] = useState(visitor.email ?? '');
  const [saving, setSaving] = useState(false);

  const save = async (event: Event) => {
    event.preventDefault();
    setSaving(true);
    await onSave(askName ? { name: name.trim() || undefined, email: email.trim() || undefined } : { email: email.trim() });
    setSaving(false);
  };

  return (
    <form class="details" onSubmit={save}>
      <p>{intro}</p>
      {askName && (
        <label>
          Name
          <input autocomplete="name" required={required} value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </label>
      )}
      <label>
        Email
        <input type="email" autocomplete="email" required={required} value={email} onInput={(event) => setEmail(event.currentTarget.value)} />
      </label>
      <div class="actions">
        <button type="submit" disabled={saving}>
          {submitLabel}
        </button>
        {onSkip && (
          <button type="button" class="secondary" onClick={onSkip}>
            Skip
          </button>
        )}
      </div>
    </form>
  );
}
