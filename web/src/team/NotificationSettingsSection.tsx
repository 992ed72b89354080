import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { errorMessage } from '../api/client';
import { endpoints } from '../api/endpoints';
import type { User } from '../api/types';
import { DeliveryLog } from '../notifications/DeliveryLog';
import { DigestFields, PreferenceMatrixTable } from '../notifications/PreferenceMatrixTable';
import {
  getMyPreferences,
  getTeamSettings,
  type PreferenceMatrix,
  preferenceKeys,
  saveTeamSettings,
  setPersonMailDisabled,
  type TeamNotificationSettings,
} from '../notifications/preferences-api';
import '../notifications/notifications-page.css';
import { Failed, Loading } from '../ui/states';
import { showError, showToast } from '../ui/toasts';
import { useSubmit } from '../ui/useSubmit';

// The admins' notification settings on the team page (issue 18): the team's default matrix
// (what applies to anyone who did not choose otherwise), notification mail for everyone,
// push previews, the mail delay, the default digest; and per person a switch that turns
// their notification mail off whatever they choose (GET/PUT /api/notification-settings,
// PUT /api/users/:id/notification-mail).

const peopleKey = ['notification-settings', 'people'] as const;

function SettingsForm({ settings, kinds }: { settings: TeamNotificationSettings; kinds: Parameters<typeof PreferenceMatrixTable>[0]['kinds'] }) {
  const client = useQueryClient();
  const [defaults, setDefaults] = useState<PreferenceMatrix>(settings.defaults);
  const [mailEnabled, setMailEnabled] = useState(settings.mailEnabled);
  const [pushPreviews, setPushPreviews] = useState(settings.pushPreviews);
  const [delayMinutes, setDelayMinutes] = useState(String(settings.mailDelaySeconds / 60));
  const [digest, setDigest] = useState(settings.digest);
  const { busy, error, submit } = useSubmit(async () => {
    const saved = await saveTeamSettings({ defaults, mailEnabled, pushPreviews, digest, mailDelaySeconds: Math.round(Number(delayMinutes) * 60) });
    client.setQueryData(preferenceKeys.team, saved);
    // The admin's own effective preferences follow the defaults.
    void client.invalidateQueries({ queryKey: preferenceKeys.mine });
    showToast('info', 'Notification settings saved');
  });
  return (
    <form className="notification-settings-form" onSubmit={submit} aria-label="Team notification settings">
      <h3>Defaults for everyone</h3>
      <p className="section-help">Each person can change these on their profile; what they leave unchanged follows the defaults here.</p>
      <PreferenceMatrixTable
        kinds={kinds}
        matrix={defaults}
        caption="The team’s default notification preferences"
        onChange={(kind, cell) => setDefaults({ ...defaults, [kind]: { ...defaults[kind], ...cell } })}
      />
      <label className="checkbox-field">
        <input type="checkbox" checked={mailEnabled} onChange={(e) => setMailEnabled(e.target.checked)} />
        <span>Send notification mail (off: nobody gets any; the bell and desktop notifications stay)</span>
      </label>
      <label className="checkbox-field">
        <input type="checkbox" checked={pushPreviews} onChange={(e) => setPushPreviews(e.target.checked)} />
        <span>Show message text in desktop push notifications (it passes through the browser maker’s push service)</span>
      </label>
      <label className="field notification-delay">
        <span>Mail delay in minutes (nothing is mailed if it was read meanwhile)</span>
        <input type="number" min={0} max={1440} step="any" required value={delayMinutes} onChange={(e) => setDelayMinutes(e.target.value)} />
      </label>
      <DigestFields value={digest} onChange={setDigest} />
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? 'Saving…' : 'Save notification settings'}
      </button>
    </form>
  );
}

function MailSwitches({ people, disabledFor }: { people: User[]; disabledFor: readonly number[] }) {
  const client = useQueryClient();
  const [busy, setBusy] = useState<number | null>(null);
  // The switch as clicked until the server has answered: React state, so the box shows the
  // click in the same render (the query cache tells its readers a tick later, and a
  // controlled checkbox snaps back in between).
  const [pending, setPending] = useState<{ userId: number; disabled: boolean } | null>(null);
  // Whose deliveries are open: "why didn't they get it" answered without asking them.
  const [shown, setShown] = useState<number | null>(null);
  const mark = (userId: number, disabled: boolean) =>
    client.setQueryData<TeamNotificationSettings>(preferenceKeys.team, (s) =>
      s ? { ...s, mailDisabledFor: disabled ? [...s.mailDisabledFor, userId] : s.mailDisabledFor.filter((id) => id !== userId) } : s,
    );
  const toggle = async (user: User, disabled: boolean) => {
    // Shown at once; put back if the server refuses.
    setPending({ userId: user.id, disabled });
    setBusy(user.id);
    try {
      await setPersonMailDisabled(user.id, disabled);
      mark(user.id, disabled);
      showToast('info', disabled ? `Notification mail is off for ${user.name}` : `Notification mail is on again for ${user.name}`);
    } catch (error) {
      setPending(null);
      showError(`Couldn’t change ${user.name}’s notification mail: ${errorMessage(error)}`);
    } finally {
      setBusy(null);
    }
  };
  // Once the cache says what was clicked, it speaks for the switch again (no flicker back).
  useEffect(() => {
    if (pending && disabledFor.includes(pending.userId) === pending.disabled) setPending(null);
  }, [pending, disabledFor]);
  return (
    <>
      <h3>Per person</h3>
      <p className="section-help">Switch someone’s notification mail off: it wins over their own choices, and they see a note saying so.</p>
      <ul className="mail-switches">
        {people.map((user) => {
          const off = pending?.userId === user.id ? pending.disabled : disabledFor.includes(user.id);
          return (
            <li key={user.id} data-user-id={user.id}>
              <label className="checkbox-field">
                <input type="checkbox" checked={off} disabled={busy === user.id} onChange={(e) => void toggle(user, e.target.checked)} />
                <span>
                  Notification mail off for <strong>{user.name}</strong>
                </span>
              </label>
              <button
                type="button"
                className="button button-small button-ghost"
                aria-expanded={shown === user.id}
                onClick={() => setShown(shown === user.id ? null : user.id)}
              >
                {shown === user.id ? 'Hide deliveries' : 'Deliveries'}
              </button>
              {shown === user.id ? <DeliveryLog userId={user.id} title={`${user.name}’s recent deliveries`} /> : null}
            </li>
          );
        })}
      </ul>
    </>
  );
}

/** The settings, loaded once shown. */
function SettingsBody() {
  const settings = useQuery({ queryKey: preferenceKeys.team, queryFn: getTeamSettings });
  // The kinds' names and descriptions come with the admin's own preferences.
  const mine = useQuery({ queryKey: preferenceKeys.mine, queryFn: getMyPreferences });
  const people = useQuery({ queryKey: peopleKey, queryFn: () => endpoints.team(false) });

  if (settings.isPending || mine.isPending || people.isPending) return <Loading label="Loading notification settings…" />;
  if (settings.isError || mine.isError || people.isError)
    return (
      <Failed
        what="the notification settings"
        error={settings.error ?? mine.error ?? people.error}
        retry={() => {
          void settings.refetch();
          void mine.refetch();
          void people.refetch();
        }}
      />
    );
  return (
    <>
      <SettingsForm key={JSON.stringify({ ...settings.data, mailDisabledFor: null })} settings={settings.data} kinds={mine.data.kinds} />
      <MailSwitches people={people.data.items.filter((u) => u.active !== false)} disabledFor={settings.data.mailDisabledFor} />
    </>
  );
}

export function NotificationSettingsSection() {
  const id = useId();
  // Folded until asked for: the team page is long, and these are changed seldom.
  const [open, setOpen] = useState(false);
  return (
    <section className="notification-settings-section" aria-labelledby="notification-settings-title">
      <h2 id="notification-settings-title">Notifications</h2>
      <p className="section-help">The team’s default notification preferences, notification mail for everyone or one person, push previews, the mail delay.</p>
      <button type="button" className="button button-small" aria-expanded={open} aria-controls={`${id}-body`} onClick={() => setOpen(!open)}>
        {open ? 'Hide notification settings' : 'Show notification settings'}
      </button>
      <div id={`${id}-body`} className="notification-settings-body">
        {open ? <SettingsBody /> : null}
      </div>
    </section>
  );
}
