import { type ReactNode, useEffect, useRef } from 'react';

// The native modal <dialog>: it traps focus, closes on Esc and restores focus itself.

export function Dialog({ open, title, onClose, children }: { open: boolean; title: string; onClose(): void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="dialog-title" onClose={onClose} onCancel={onClose}>
      {open ? (
        <>
          <h2 id="dialog-title">{title}</h2>
          {children}
        </>
      ) : null}
    </dialog>
  );
}

export function ConfirmDialog(props: { open: boolean; title: string; text: string; confirm: string; danger?: boolean; onConfirm(): void; onClose(): void }) {
  return (
    <Dialog open={props.open} title={props.title} onClose={props.onClose}>
      <p>{props.text}</p>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={props.onClose} autoFocus>
          Cancel
        </button>
        <button
          type="button"
          className={`button ${props.danger ? 'button-danger' : 'button-primary'}`}
          onClick={() => {
            props.onConfirm();
            props.onClose();
          }}
        >
          {props.confirm}
        </button>
      </div>
    </Dialog>
  );
}

/** A dialog form's end: the last failure, then [extra…] Cancel and the submit button. */
export function DialogFormActions(props: {
  error: string | null;
  busy: boolean;
  submit: string;
  busySubmit: string;
  cancel?: string;
  onCancel(): void;
  children?: ReactNode;
}) {
  return (
    <>
      {props.error ? (
        <p className="form-error" role="alert">
          {props.error}
        </p>
      ) : null}
      <div className="dialog-actions">
        {props.children}
        <button type="button" className="button" onClick={props.onCancel}>
          {props.cancel ?? 'Cancel'}
        </button>
        <button type="submit" className="button button-primary" disabled={props.busy}>
          {props.busy ? props.busySubmit : props.submit}
        </button>
      </div>
    </>
  );
}
