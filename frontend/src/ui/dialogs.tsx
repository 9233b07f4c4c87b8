import { useState, type ReactNode } from "react";
import { Modal } from "./Modal";

/** Ask a yes/no question; `danger` styles the confirm button red. */
export function ConfirmDialog(props: {
  title: string;
  children: ReactNode;
  confirmLabel?: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown> | void;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (e) {
      setError(e instanceof Error ? e.message : "Failed");
      setBusy(false);
    }
  };
  return (
    <Modal
      title={props.title}
      onClose={props.onClose}
      footer={
        <>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button className={`btn ${props.danger ? "btn-danger" : "btn-primary"}`} onClick={confirm} disabled={busy} autoFocus>
            {props.confirmLabel ?? "Confirm"}
          </button>
        </>
      }
    >
      <div className="col">
        <div>{props.children}</div>
        {error && <p className="error-text">{error}</p>}
      </div>
    </Modal>
  );
}

/** Ask for one line of text (names of tables, views, bases). */
export function PromptDialog(props: {
  title: string;
  label: string;
  initial?: string;
  submitLabel?: string;
  onSubmit: (value: string) => Promise<unknown> | void;
  onClose: () => void;
}) {
  const [value, setValue] = useState(props.initial ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e?: React.FormEvent) => {
    e?.preventDefault();
    if (!value.trim()) return;
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit(value.trim());
      props.onClose();
    } catch (err) {
      setError(err instanceof Error ? err.message : "Failed");
      setBusy(false);
    }
  };
  return (
    <Modal
      title={props.title}
      onClose={props.onClose}
      footer={
        <>
          <button className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button className="btn btn-primary" onClick={() => submit()} disabled={busy || !value.trim()}>
            {props.submitLabel ?? "Save"}
          </button>
        </>
      }
    >
      <form onSubmit={submit}>
        <label className="label" htmlFor="prompt-input">
          {props.label}
        </label>
        <input
          id="prompt-input"
          className="input"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          autoFocus
          onFocus={(e) => e.currentTarget.select()}
        />
        {error && <p className="error-text" style={{ marginTop: 8 }}>{error}</p>}
      </form>
    </Modal>
  );
}
