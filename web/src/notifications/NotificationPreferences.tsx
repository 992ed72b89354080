import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { errorMessage } from '../api/client';
import { Failed, Loading } from '../ui/states';
import { showError, showToast } from '../ui/toasts';
import { useSubmit } from '../ui/useSubmit';
import { DeliveryLog } from './DeliveryLog';
import { DigestFields, describeDigest, PreferenceMatrixTable } from './PreferenceMatrixTable';
import { PushSwitch } from './PushSwitch';
import {
  browserTimeZone,
  type DigestSchedule,
  getMyPreferences,
  type KindPreference,
  type NotificationKind,
  type NotificationPreferences as Preferences,
  preferenceKeys,
  saveMyPreferences,
} from './preferences-api';
import './notifications-page.css';

// The "Notifications" section of a team member's profile (issue 18): which kinds reach them
// where (a cell saves as soon as it changes; the server keeps only what differs from the
// team's defaults), their digest schedule, a word when an admin switched their mail off, and
// the recent deliveries, which answer "why didn't I get it".

function MailNote({ prefs }: { prefs: Preferences }) {
  if (prefs.mailAllowed) return null;
  return (
    <p className="notice notification-mail-note" role="note">
      {prefs.teamMailEnabled
        ? 'An admin switched your notification mail off: you get no notification mail, whatever you choose under Email. The bell and desktop notifications still work.'
        : 'Notification mail is switched off for the whole team: nobody gets any, whatever they choose under Email. The bell and desktop notifications still work.'}
    </p>
  );
}

function DigestForm({ prefs, onSaved }: { prefs: Preferences; onSaved(next: Preferences): void }) {
  const [own, setOwn] = useState(prefs.ownDigest !== null);
  const [digest, setDigest] = useState<DigestSchedule>(prefs.ownDigest ?? { ...prefs.digest, timeZone: browserTimeZone() });
  const { busy, error, submit } = useSubmit(async () => {
    const next = await saveMyPreferences({ digest: own ? digest : null });
    onSaved(next);
    showToast('info', 'Your digest schedule is saved');
  });
  return (
    <form className="digest-form" onSubmit={submit} aria-label="Digest schedule">
      <h3>Digest</h3>
      <p className="profile-hint">What you set to “In the digest” comes in one mail listing its conversations; a digest with nothing unread is not sent.</p>
      <label className="checkbox-field">
        <input type="checkbox" checked={!own} onChange={(e) => setOwn(!e.target.checked)} />
        <span>Use the team’s schedule ({describeDigest(prefs.teamDigest)})</span>
      </label>
      {own ? <DigestFields value={digest} onChange={setDigest} /> : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? 'Saving…' : 'Save digest schedule'}
      </button>
    </form>
  );
}

export function NotificationPreferences() {
  const client = useQueryClient();
  const query = useQuery({ queryKey: preferenceKeys.mine, queryFn: getMyPreferences });
  const [saving, setSaving] = useState(false);

  const keep = (next: Preferences) => client.setQueryData(preferenceKeys.mine, next);
  const change = async (kind: NotificationKind, cell: Partial<KindPreference>) => {
    const before = query.data;
    if (!before) return;
    // Shown at once; put back if the server refuses.
    keep({ ...before, matrix: { ...before.matrix, [kind]: { ...before.matrix[kind], ...cell } } });
    setSaving(true);
    try {
      keep(await saveMyPreferences({ matrix: { [kind]: cell } }));
      showToast('info', 'Notification preferences saved');
    } catch (error) {
      keep(before);
      showError(`Couldn’t save: ${errorMessage(error)}`);
    } finally {
      setSaving(false);
    }
  };

  let body: ReactNode;
  if (query.isPending) body = <Loading label="Loading your notification preferences…" />;
  else if (query.isError) body = <Failed what="your notification preferences" error={query.error} retry={() => void query.refetch()} />;
  else {
    const prefs = query.data;
    body = (
      <>
        <MailNote prefs={prefs} />
        <PreferenceMatrixTable
          kinds={prefs.kinds}
          matrix={prefs.matrix}
          caption="Where each kind of notification reaches you"
          disabled={saving}
          onChange={(kind, cell) => void change(kind, cell)}
        />
        <PushSwitch />
        <DigestForm key={JSON.stringify(prefs.ownDigest)} prefs={prefs} onSaved={keep} />
      </>
    );
  }

  return (
    <section className="card profile-card notification-preferences" aria-labelledby="profile-notifications-title">
      <h2 id="profile-notifications-title">Notifications</h2>
      <p className="profile-hint">
        What reaches you, and where: in the inbox’s bell, by email, or on the desktop. What you leave unchanged follows the team’s defaults.
      </p>
      {body}
      <DeliveryLog />
    </section>
  );
}
