import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { History, RotateCcw } from "lucide-react";
import { isNotFound } from "../api/client";
import { endpoints } from "../api/endpoints";
import { qk } from "../api/queries";
import type { Field, HistoryChange, HistoryEntry, Id, Row } from "../api/types";
import { activityApi } from "../activity/api";
import { formatCell, formatDateTime, formatRelative } from "../fields/format";
import { ConfirmDialog } from "../ui/dialogs";
import { Loading } from "../ui/States";
import "../activity/feed.css";

/** "Price: 10 → 12", with the values formatted like the grid shows them. */
export function changeText(c: HistoryChange, byId: Map<number, Field>): string {
  const id = Number(String(c.field_id).replace(/^f_/, ""));
  const field = byId.get(id);
  const show = (v: unknown) => (field ? formatCell(field, v) : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v ?? ""));
  return `${field?.name ?? c.field ?? "A field"}: ${show(c.old) || "(empty)"} → ${show(c.new) || "(empty)"}`;
}

const VERBS: Record<string, string> = {
  create: "created the row",
  created: "created the row",
  update: "changed",
  updated: "changed",
  delete: "deleted the row",
  deleted: "deleted the row",
  restore: "restored the row",
  restored: "restored the row",
  import: "imported the row",
  type_change: "changed a field's type",
};

export const actionVerb = (action: string) => VERBS[action] ?? action.replace(/_/g, " ");

/** Entries a row can go back to: not the current state (the newest) and not a deletion. */
export function restorable(entries: HistoryEntry[], index: number): boolean {
  const action = entries[index].action;
  return index > 0 && action !== "delete" && action !== "deleted";
}

/**
 * The row's history, newest first, with "Restore this version" on earlier entries: the
 * row gets the values it had right after that change, written as a new change.
 */
export function RowHistory(props: {
  tableId: Id;
  row: Row;
  fieldsById: Map<number, Field>;
  canRestore: boolean;
  /** With the names of fields that could not go back (computed, or deleted since). */
  onRestored: (row: Row, notRestored: string[]) => void;
}) {
  const { tableId, row, fieldsById } = props;
  const qc = useQueryClient();
  const [confirm, setConfirm] = useState<HistoryEntry | null>(null);
  const history = useQuery({
    queryKey: qk.history(tableId, row.id),
    queryFn: async () => {
      try {
        return (await endpoints.rowHistory(tableId, row.id)).items;
      } catch (e) {
        if (isNotFound(e)) return null;
        throw e;
      }
    },
    retry: false,
  });
  const entries = history.data ?? [];

  return (
    <section className="row-history" aria-labelledby="row-history-title">
      <h3 id="row-history-title" className="row" style={{ gap: 6 }}><History size={15} /> History</h3>
      <p className="small faint">Created {formatRelative(row.created_at)} · updated {formatRelative(row.updated_at)}</p>
      {history.isPending && <Loading />}
      {history.isError && <p className="small error-text">Could not load the history.</p>}
      {history.data === null && <p className="small muted">History is not available on this server yet.</p>}
      {history.data?.length === 0 && <p className="small muted">No changes yet.</p>}
      <ul className="feed">
        {entries.map((h, i) => (
          <li key={h.id} className="feed-item" data-testid="history-entry">
            <div className="small">
              <strong>{h.actor?.name || h.actor?.email || "Automation"}</strong> {actionVerb(h.action)}
            </div>
            {h.changes.map((c, j) => <div key={j} className="small feed-change">{changeText(c, fieldsById)}</div>)}
            <div className="row feed-meta">
              <time className="small faint" dateTime={h.at} title={formatDateTime(h.at)}>{formatRelative(h.at)}</time>
              {i === 0 && <span className="badge">Current</span>}
              {props.canRestore && restorable(entries, i) && (
                <button className="btn btn-ghost btn-sm feed-action" onClick={() => setConfirm(h)}>
                  <RotateCcw size={13} /> Restore this version
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      {confirm && (
        <ConfirmDialog
          title="Restore this version?"
          confirmLabel="Restore"
          onClose={() => setConfirm(null)}
          onConfirm={async () => {
            const answer = await activityApi.restoreVersion(tableId, row.id, confirm.id);
            // Re-read with field ids as keys, the way the grid and the panel hold rows.
            const fresh = await endpoints.row(tableId, row.id);
            props.onRestored(fresh, answer.not_restored ?? []);
            await qc.invalidateQueries({ queryKey: qk.history(tableId, row.id) });
          }}
        >
          The row gets back the values it had after the change of {formatDateTime(confirm.at)}. This is saved as a new
          change, so later versions stay in the history.
        </ConfirmDialog>
      )}
    </section>
  );
}
