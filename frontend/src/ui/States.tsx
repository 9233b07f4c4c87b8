import type { ReactNode } from "react";
import { AlertTriangle, Inbox } from "lucide-react";
import { errorMessage } from "../api/client";

export function Spinner({ label = "Loading" }: { label?: string }) {
  return <span className="spinner" role="status" aria-label={label} />;
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="state" aria-busy="true">
      <Spinner />
      <span className="small">{label}</span>
    </div>
  );
}

export function EmptyState(props: {
  icon?: ReactNode;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="state">
      <div className="state-icon">{props.icon ?? <Inbox size={22} />}</div>
      <h3>{props.title}</h3>
      {props.children && <p className="muted">{props.children}</p>}
      {props.action && <div style={{ marginTop: 8 }}>{props.action}</div>}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <div className="state-icon">
        <AlertTriangle size={22} />
      </div>
      <h3>Could not load this</h3>
      <p className="muted">{errorMessage(error)}</p>
      {onRetry && (
        <button className="btn" onClick={onRetry} style={{ marginTop: 8 }}>
          Try again
        </button>
      )}
    </div>
  );
}
