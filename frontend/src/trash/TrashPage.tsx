import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Columns3, Eye, RotateCcw, Rows3, Sheet, Trash2 } from "lucide-react";
import type { BaseSchema, Id } from "../api/types";
import { useMembers } from "../api/queries";
import { formatDateTime, formatRelative } from "../fields/format";
import { ConfirmDialog } from "../ui/dialogs";
import { EmptyState, ErrorState, Loading } from "../ui/States";
import { useToast } from "../ui/toast";
import { canRestore, trashApi, type TrashItem } from "./api";
import "../activity/feed.css";

const KINDS = [
  { kind: "all", label: "All" },
  { kind: "row", label: "Rows" },
  { kind: "field", label: "Fields" },
  { kind: "table", label: "Tables" },
  { kind: "view", label: "Views" },
] as const;

const ICONS: Record<string, typeof Rows3> = { row: Rows3, field: Columns3, table: Sheet, view: Eye };

/** Base screen "Trash": deleted rows, fields, tables and views, with restore and empty. */
export default function TrashPage({ base, refreshSchema }: { base: BaseSchema; refreshSchema: () => Promise<void> }) {
  const key = ["trash", base.id] as const;
  const trash = useQuery({ queryKey: key, queryFn: () => trashApi.list(base.id) });
  const members = useMembers(base.workspace_id);
  const qc = useQueryClient();
  const toast = useToast();
  const [kind, setKind] = useState<string>("all");
  const [busy, setBusy] = useState<Id | null>(null);
  const [emptying, setEmptying] = useState(false);
  const isAdmin = base.role === "owner" || base.role === "admin";
  const items = (trash.data?.items ?? []).filter((i) => kind === "all" || i.kind === kind);
  const who = (id: Id | null) => {
    if (id === null) return "Automation";
    const m = members.data?.items.find((x) => x.user_id === id);
    return m ? m.name || m.email : `User ${id}`;
  };
  const tableName = (id: Id | null) => (id === null ? "" : base.tables.find((t) => t.id === id)?.name ?? "");

  const restore = async (item: TrashItem) => {
    setBusy(item.id);
    try {
      await trashApi.restore(base.id, item.id);
      toast.success(`Restored ${item.kind} "${item.label || item.id}"`);
      qc.setQueryData<{ items: TrashItem[] }>(key, (old) => old && { items: old.items.filter((i) => i.id !== item.id) });
      if (item.kind !== "row") await refreshSchema();
    } catch (e) {
      toast.error(e);
    } finally {
      setBusy(null);
      void qc.invalidateQueries({ queryKey: key });
    }
  };

  return (
    <div className="app-main">
      <div className="page">
        <div className="page-header">
          <div>
            <h1>Trash</h1>
            <p className="muted">Deleted rows, fields, tables and views of {base.name}. They can be restored until they are purged (after 30 days by default).</p>
          </div>
          <span className="spacer" />
          {isAdmin && (
            <button className="btn btn-danger" onClick={() => setEmptying(true)} disabled={!trash.data?.items.length}>
              <Trash2 size={15} /> Empty trash
            </button>
          )}
        </div>
        <div className="log-filters">
          <div className="segmented" role="group" aria-label="Show">
            {KINDS.map((k) => (
              <button key={k.kind} type="button" aria-pressed={kind === k.kind} onClick={() => setKind(k.kind)}>{k.label}</button>
            ))}
          </div>
        </div>
        {trash.isPending && <Loading />}
        {trash.isError && <ErrorState error={trash.error} onRetry={() => trash.refetch()} />}
        {trash.data && items.length === 0 && (
          <EmptyState icon={<Trash2 size={22} />} title={kind === "all" ? "The trash is empty" : "Nothing of this kind in the trash"}>
            Deleted things appear here.
          </EmptyState>
        )}
        {items.length > 0 && (
          <div className="card">
            <table className="table" aria-label="Deleted items">
              <thead><tr><th>Item</th><th>Table</th><th>Deleted by</th><th>When</th><th><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {items.map((item) => {
                  const Icon = ICONS[item.kind] ?? Rows3;
                  const allowed = canRestore(item.kind, base.role);
                  return (
                    <tr key={item.id} data-testid="trash-item">
                      <td>
                        <div className="row">
                          <Icon size={15} className="faint" />
                          <span className="badge kind-badge">{item.kind}</span>
                          <span className="truncate" style={{ maxWidth: 280 }}>{item.label || `#${item.id}`}</span>
                        </div>
                      </td>
                      <td className="muted">{item.kind === "table" ? "" : tableName(item.table_id)}</td>
                      <td className="muted">{who(item.deleted_by)}</td>
                      <td className="muted"><time dateTime={item.deleted_at} title={formatDateTime(item.deleted_at)}>{formatRelative(item.deleted_at)}</time></td>
                      <td style={{ textAlign: "right" }}>
                        <button
                          className="btn btn-sm"
                          disabled={!allowed || busy !== null}
                          title={allowed ? undefined : "Restoring fields and tables needs the admin role"}
                          aria-label={`Restore ${item.kind} ${item.label}`}
                          onClick={() => void restore(item)}
                        >
                          <RotateCcw size={13} /> {busy === item.id ? "Restoring…" : "Restore"}
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>
      {emptying && (
        <ConfirmDialog
          title="Empty the trash?"
          danger
          confirmLabel="Delete everything for good"
          onClose={() => setEmptying(false)}
          onConfirm={async () => {
            await trashApi.empty(base.id);
            await qc.invalidateQueries({ queryKey: key });
            toast.success("The trash is empty");
          }}
        >
          All {trash.data?.items.length ?? 0} items in the trash are deleted for good. This cannot be undone.
        </ConfirmDialog>
      )}
    </div>
  );
}
