import { useEffect, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Trash2, X } from "lucide-react";
import { createPortal } from "react-dom";
import { endpoints } from "../api/endpoints";
import { qk } from "../api/queries";
import type { Field, Row } from "../api/types";
import { useView, orderedFields } from "../base/context";
import { FieldInput } from "../fields/FieldInput";
import { typeInfo } from "../fields/fieldTypes";
import { fieldKey, formatCell } from "../fields/format";
import { useMe } from "../shell/auth";
import { ConfirmDialog } from "../ui/dialogs";
import { Loading } from "../ui/States";
import { useToast } from "../ui/toast";
import { RowComments } from "./RowComments";
import { RowHistory } from "./RowHistory";
import { commitCell } from "./rowCommit";

/** The side panel with every field of one row, its comments, its history and a delete button. */
export function RowPanel(props: { initial: Row; onClose: () => void; onSaved: (row: Row) => void; onDeleted: (id: number) => void }) {
  const { table, base, fieldsById, canEditData, config } = useView();
  const toast = useToast();
  const [row, setRow] = useState<Row>(props.initial);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const me = useMe();
  const qc = useQueryClient();
  const fresh = useQuery({ queryKey: ["row", table.id, props.initial.id], queryFn: () => endpoints.row(table.id, props.initial.id) });
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
    if (saved) void qc.invalidateQueries({ queryKey: qk.history(table.id, row.id) });
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
        <RowComments tableId={table.id} rowId={row.id} role={base.role} meId={me.id} />
        <RowHistory
          tableId={table.id}
          row={row}
          fieldsById={fieldsById}
          canRestore={canEditData}
          onRestored={(r, notRestored) => {
            setRow(r);
            props.onSaved(r);
            if (notRestored.length) toast.show(`Restored, except ${notRestored.join(", ")}: computed or deleted fields keep their current value`, "info");
            else toast.success("Earlier version restored");
          }}
        />
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
