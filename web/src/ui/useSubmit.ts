import { type FormEvent, useState } from 'react';

// Shared by the admin app and the portal (which has its own API client, hence no import
// of either here: a failure's text is its message).

/** A form's submit: busy while `work` runs, and its failure as the text to show beside the form. */
export function useSubmit(work: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, submit };
}
