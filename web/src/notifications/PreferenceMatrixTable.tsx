import { useId } from 'react';
import { browserTimeZone, type DigestSchedule, type EmailMode, type KindPreference, type NotificationKind, type PreferenceMatrix } from './preferences-api';

// The kind × channel table and the digest schedule's fields, shared by a person's
// preferences (profile page) and the team's defaults (team page). Every control is labelled
// with its kind and channel, so a screen reader (and a test) can name each cell.

export type KindInfo = { kind: NotificationKind; label: string; description: string };

const EMAIL_LABELS: Record<EmailMode, string> = { off: 'Off', immediate: 'Immediately', digest: 'In the digest' };

export function PreferenceMatrixTable({
  kinds,
  matrix,
  caption,
  disabled,
  onChange,
}: {
  kinds: readonly KindInfo[];
  matrix: PreferenceMatrix;
  caption: string;
  disabled?: boolean;
  onChange(kind: NotificationKind, cell: Partial<KindPreference>): void;
}) {
  return (
    <table className="preference-matrix">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">What happened</th>
          <th scope="col">In app</th>
          <th scope="col">Email</th>
          <th scope="col">Desktop</th>
        </tr>
      </thead>
      <tbody>
        {kinds.map(({ kind, label, description }) => {
          const cell = matrix[kind];
          return (
            <tr key={kind} data-kind={kind}>
              <th scope="row">
                <span className="preference-kind">{label}</span>
                <span className="preference-description">{description}</span>
              </th>
              <td>
                <input
                  type="checkbox"
                  aria-label={`${label}: in app`}
                  checked={cell.inApp}
                  disabled={disabled}
                  onChange={(e) => onChange(kind, { inApp: e.target.checked })}
                />
              </td>
              <td>
                <select
                  aria-label={`${label}: email`}
                  value={cell.email}
                  disabled={disabled}
                  onChange={(e) => onChange(kind, { email: e.target.value as EmailMode })}
                >
                  {(Object.keys(EMAIL_LABELS) as EmailMode[]).map((mode) => (
                    <option key={mode} value={mode}>
                      {EMAIL_LABELS[mode]}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`${label}: desktop`}
                  checked={cell.desktop}
                  disabled={disabled}
                  onChange={(e) => onChange(kind, { desktop: e.target.checked })}
                />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const EVERY_LABELS: Record<DigestSchedule['every'], string> = { '15m': 'Every 15 minutes', hourly: 'Every hour', daily: 'Daily at…' };

export function describeDigest(digest: DigestSchedule): string {
  return digest.every === 'daily' ? `daily at ${digest.at} (${digest.timeZone})` : EVERY_LABELS[digest.every].toLowerCase();
}

/** The time zones the browser knows (ES2022's lib does not declare supportedValuesOf yet). */
function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}

export function DigestFields({ value, disabled, onChange }: { value: DigestSchedule; disabled?: boolean; onChange(next: DigestSchedule): void }) {
  const id = useId();
  return (
    <div className="digest-fields">
      <label className="field">
        <span>Digest</span>
        <select value={value.every} disabled={disabled} onChange={(e) => onChange({ ...value, every: e.target.value as DigestSchedule['every'] })}>
          {(Object.keys(EVERY_LABELS) as DigestSchedule['every'][]).map((every) => (
            <option key={every} value={every}>
              {EVERY_LABELS[every]}
            </option>
          ))}
        </select>
      </label>
      {value.every === 'daily' ? (
        <>
          <label className="field">
            <span>Time of day</span>
            <input type="time" required disabled={disabled} value={value.at} onChange={(e) => onChange({ ...value, at: e.target.value })} />
          </label>
          <label className="field">
            <span>Time zone</span>
            <input
              list={`${id}-zones`}
              required
              maxLength={64}
              disabled={disabled}
              value={value.timeZone}
              placeholder={browserTimeZone()}
              onChange={(e) => onChange({ ...value, timeZone: e.target.value })}
            />
            <datalist id={`${id}-zones`}>
              {timeZones().map((zone) => (
                <option key={zone} value={zone} />
              ))}
            </datalist>
          </label>
        </>
      ) : null}
    </div>
  );
}
