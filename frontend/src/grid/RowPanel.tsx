import { useEffect, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { History, Trash2, X } from "lucide-react";
import { createPortal } from "react-dom";
import { isNotFound } from "../api/client";
import { endpoints } from "../api/endpoints";
import { qk } from "../api/queries";
import type { Field, HistoryChange, Row } from "../api/types";
import { useView, orderedFields } from "../base/context";
import { FieldInput } from "../fields/FieldInput";
import { typeInfo } from "../fields/fieldTypes";
import { fieldKey, formatCell, formatRelative } from "../fields/format";
import { ConfirmDialog } from "../ui/dialogs";
import { Loading } from "../ui/States";
import { useToast } from "../ui/toast";
import { commitCell } from "./rowCommit";

function changeText(c: HistoryChange, byId: Map<number, Field>): string {
  const id = Number(String(c.field_id).replace(/^f_/, ""));
  const field = byId.get(id);
  const show = (v: unknown) => (field ? formatCell(field, v) : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v ?? ""));
  return `${field?.name ?? c.field ?? "A field"}: ${show(c.old) || "(empty)"} → ${show(c.new) || "(empty)"}`;
}

/** The side panel with every field of one row, its history and a delete button. */
export function RowPanel(props: { initial: Row; onClose: () => void; onSaved: (row: Row) => void; onDeleted: (id: number) => void }) {
  const { table, base, fieldsById, canEditData, config } = useView();
  const toast = useToast();
  const [row, setRow] = useState<Row>(props.initial);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const fresh = useQuery({ queryKey: ["row", table.id, props.initial.id], queryFn: () => endpoints.row(table.id, props.initial.id) });
  const history = useQuery({
    queryKey: qk.history(table.id, props.initial.id),
    queryFn: async () => {
      try {
        return (await endpoints.rowHistory(table.id, props.initial.id)).items;
      } catch (e) {
        if (isNotFound(e)) return null;
        throw e;
      }
    },
    retry: false,
  });
  useEffect(() => {
    if (fresh.data) setRow(fresh.data);
  }, [fresh.data]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => { if (e.key === "Escape" && !document.querySelector(".modal-backdrop, .popover")) props.onClose(); };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [props]);

  const fields = orderedFields(table, config);
  const primary = fields[0];
  const title = (primary && formatCell(primary, row.fields[fieldKey(primary.id)])) || `Row ${row.id}`;
  const save = async (field: Field, value: unknown) => {
    const saved = await commitCell(table.id, row, field, value, {
      apply: (r) => { setRow(r); props.onSaved(r); },
      notify: (m, kind) => (kind === "error" ? toast.show(m, "error") : toast.show(m, "info")),
    });
    if (saved) void history.refetch();
  };

  return createPortal(
    <aside className="row-panel" role="dialog" aria-label={`Row ${title}`}>
      <header className="row-panel-header">
        <h2 className="truncate" title={title}>{title}</h2>
        <span className="spacer" />
        {canEditData && <button className="btn btn-ghost btn-sm" onClick={() => setConfirmDelete(true)}><Trash2 size={14} /> Delete</button>}
        <button className="btn btn-ghost btn-icon" aria-label="Close" onClick={props.onClose}><X size={18} /></button>
      </header>
      <div className="row-panel-body">
        {fresh.isPending && <Loading />}
        {fields.map((f) => {
          const Icon = typeInfo(f.type).icon;
          const id = `rp-${f.id}`;
          return (
            <div key={`${f.id}-${row.version}`} className="form-row">
              <label className="label row" htmlFor={id} style={{ gap: 6 }}><Icon size={13} /> {f.name}{f.required && <span className="error-text">*</span>}</label>
              <FieldInput id={id} field={f} value={row.fields[fieldKey(f.id)]} onChange={(v) => void save(f, v)} baseId={base.id} workspaceId={base.workspace_id} tables={base.tables} readOnly={!canEditData} />
              {f.description && <p className="hint">{f.description}</p>}
            </div>
          );
        })}
        <section className="row-history">
          <h3 className="row" style={{ gap: 6 }}><History size={15} /> History</h3>
          <p className="small faint">Created {formatRelative(row.created_at)} · updated {formatRelative(row.updated_at)}</p>
          {history.data === null && <p className="small muted">History is not available on this server yet.</p>}
          {history.data?.length === 0 && <p className="small muted">No changes yet.</p>}
          <ul>
            {history.data?.map((h) => (
              <li key={h.id}>
                <div className="small"><strong>{h.actor?.name || h.actor?.email || "Automation"}</strong> {h.action === "create" || h.action === "created" ? "created the row" : h.action === "update" || h.action === "updated" ? "" : h.action}</div>
                {h.changes.map((c, j) => <div key={j} className="small">{changeText(c, fieldsById)}</div>)}
                <div className="small faint">{formatRelative(h.at)}</div>
              </li>
            ))}
          </ul>
        </section>
      </div>
      {confirmDelete && (
        <ConfirmDialog title="Delete this row?" danger confirmLabel="Delete row" onClose={() => setConfirmDelete(false)} onConfirm={async () => {
          await endpoints.deleteRows(table.id, [row.id]);
          props.onDeleted(row.id);
          props.onClose();
        }}>
          The row goes to the trash; an admin can restore it.
        </ConfirmDialog>
      )}
    </aside>,
    document.body,
  );
}
