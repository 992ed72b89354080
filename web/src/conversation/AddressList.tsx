import { type KeyboardEvent, useId, useState } from 'react';
import { Icon } from '../ui/Icon';
import './mail.css';

// Mail addresses as chips with an input to add more (typed, pasted, separated by commas,
// semicolons or spaces; added on Enter, a separator or leaving the field) and a button to
// remove each. Shared by the composer's Cc, the New conversation dialog and Forward.

// The server's own rule (inbox/actors.ts normalizeEmail): it decides, this only helps early.
const ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/;

/** The addresses in a typed or pasted text, lower-cased; `bad` is what does not look like one. */
export function parseAddresses(text: string): { good: string[]; bad: string[] } {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim().replace(/^<|>$/g, ''))
    .filter(Boolean);
  return { good: parts.filter((p) => ADDRESS.test(p)).map((p) => p.toLowerCase()), bad: parts.filter((p) => !ADDRESS.test(p)) };
}

type Props = {
  label: string;
  addresses: string[];
  onChange(addresses: string[]): void;
  /** Names to show with known addresses. */
  names?: ReadonlyMap<string, string>;
  max?: number;
  placeholder?: string;
  autoFocus?: boolean;
};

export function AddressList({ label, addresses, onChange, names, max = 20, placeholder = 'Add an address', autoFocus }: Props) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();

  function commit(value = text): void {
    const { good, bad } = parseAddresses(value);
    const next = [...addresses];
    for (const address of good) if (!next.includes(address)) next.push(address);
    if (next.length > max) {
      setError(`At most ${max} addresses.`);
      return;
    }
    if (next.length !== addresses.length) onChange(next);
    setText(bad.join(' '));
    setError(bad.length ? `Not an email address: ${bad.join(', ')}` : null);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Enter' || event.key === ',' || event.key === ';') {
      // Enter adds the address; it never sends the form around it.
      if (text.trim()) event.preventDefault();
      else if (event.key !== 'Enter') event.preventDefault();
      commit();
    } else if (event.key === 'Backspace' && !text && addresses.length) {
      onChange(addresses.slice(0, -1));
    }
  }

  return (
    // biome-ignore lint/a11y/useSemanticElements: a <fieldset> would add its default border, padding and min-content width, which this layout does not reset.
    <div className="address-list" role="group" aria-label={label}>
      <span className="address-label" aria-hidden="true">
        {label}
      </span>
      <ul className="address-chips">
        {addresses.map((address) => {
          const name = names?.get(address);
          return (
            <li key={address} className="address-chip">
              <span>{name ? `${name} <${address}>` : address}</span>
              <button
                type="button"
                className="tag-remove"
                aria-label={`Remove ${address} from ${label}`}
                onClick={() => onChange(addresses.filter((a) => a !== address))}
              >
                <Icon name="close" size={12} />
              </button>
            </li>
          );
        })}
      </ul>
      <input
        type="text"
        inputMode="email"
        autoComplete="off"
        className="address-input"
        aria-label={`Add to ${label}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        placeholder={addresses.length ? '' : placeholder}
        value={text}
        autoFocus={autoFocus}
        onChange={(e) => {
          const value = e.target.value;
          // A paste of several addresses, or a separator typed at the end: take them now.
          if (/[,;\s]$/.test(value) || /[,;\s].*@/.test(value.trim())) commit(value);
          else setText(value);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => text.trim() && commit()}
      />
      {error ? (
        <p id={errorId} className="address-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
