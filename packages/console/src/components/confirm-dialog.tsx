import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ErrorBanner } from './ui.js';

export interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  /** When set, the user must type it to confirm (for deletions). */
  typeToConfirm?: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm(): Promise<void>;
  onClose: () => void;
}

/** A modal question (native <dialog>: focus stays inside, Escape closes it). */
export function ConfirmDialog(props: ConfirmDialogProps): ReactNode {
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const inputId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const ready = !props.typeToConfirm || typed === props.typeToConfirm;
  return (
    <dialog
      ref={ref}
      className="dialog"
      onClose={props.onClose}
      aria-labelledby={`${inputId}-title`}
    >
      <form onSubmit={(e) => void submit(e)}>
        <h2 id={`${inputId}-title`}>{props.title}</h2>
        <div className="dialog-body">{props.children}</div>
        {props.typeToConfirm && (
          <div className="field">
            <label htmlFor={inputId}>
              Type <code>{props.typeToConfirm}</code> to confirm
            </label>
            <input
              id={inputId}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
              autoFocus
            />
          </div>
        )}
        <ErrorBanner error={error} title="It did not work" />
        <div className="dialog-actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className={props.danger ? 'danger' : 'primary'}
            disabled={!ready || busy}
          >
            {busy ? 'Working…' : props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
