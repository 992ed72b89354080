import { useSyncExternalStore } from 'react';
import { Icon } from './Icon';

// Visible, announced messages: a refused action says why, in a live region.

export type Toast = { id: number; kind: 'error' | 'info'; text: string };

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => {
  for (const listener of listeners) listener();
};

export function dismissToast(id: number): void {
  toasts = toasts.filter((t) => t.id !== id);
  emit();
}

export function showToast(kind: Toast['kind'], text: string, ms = kind === 'error' ? 10_000 : 4_000): void {
  const toast = { id: nextId++, kind, text };
  toasts = [...toasts.slice(-3), toast];
  emit();
  setTimeout(() => dismissToast(toast.id), ms);
}

export const showError = (text: string) => showToast('error', text);

export function Toasts() {
  const list = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => toasts,
  );
  return (
    <div className="toasts" aria-live="assertive" aria-relevant="additions">
      {list.map((toast) => (
        <div key={toast.id} className={`toast toast-${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'}>
          <span>{toast.text}</span>
          <button type="button" className="icon-button" onClick={() => dismissToast(toast.id)} aria-label="Dismiss">
            <Icon name="close" />
          </button>
        </div>
      ))}
    </div>
  );
}
