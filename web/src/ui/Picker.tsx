// The one select of the app, for the details panel and the filter bar alike: a label
// (shown, or for screen readers only where the options say it) and a list of options.

type PickerOption<T extends string> = { value: T; label: string };

/** Options from an enum's values and their display names. */
export const optionsOf = <T extends string>(values: readonly T[], names: Record<T, string>): PickerOption<T>[] =>
  values.map((value) => ({ value, label: names[value] }));

type Props<T extends string> = {
  label: string;
  /** The options say what is picked ("Any channel"), so the label is for screen readers. */
  hideLabel?: boolean;
  className: string;
  value: T;
  options: PickerOption<T>[];
  onChange(value: T): void;
  testId?: string;
};

export function Picker<T extends string>({ label, hideLabel, className, value, options, onChange, testId }: Props<T>) {
  return (
    <label className={className}>
      <span className={hideLabel ? 'visually-hidden' : undefined}>{label}</span>
      {/* The options are the only values the select can take. */}
      <select value={value} onChange={(e) => onChange(e.target.value as T)} data-testid={testId}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}
