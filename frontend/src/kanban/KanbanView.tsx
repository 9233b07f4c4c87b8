import { useMemo, useState } from "react";
import { Columns3, Plus } from "lucide-react";
import { endpoints } from "../api/endpoints";
import type { Field, Row } from "../api/types";
import type { ViewProps } from "../base/BasePage";
import { useView, visibleFields } from "../base/context";
import { FieldDialog } from "../fields/FieldDialog";
import { fieldKey } from "../fields/format";
import { RowPanel } from "../grid/RowPanel";
import { commitCell } from "../grid/rowCommit";
import { EmptyState, ErrorState, Loading } from "../ui/States";
import { useToast } from "../ui/toast";
import { CardFields, rowTitle } from "../views/CardParts";
import { FilterMenu } from "../views/ToolbarMenus";
import { useCardRows } from "../views/useRows";
import { toSortParam } from "../grid/useGridData";
import "../views/cards.css";

export default function KanbanView({ switcher }: ViewProps) {
  const { table, base, config, updateConfig, canEditData, canEditSchema, refreshSchema } = useView();
  const toast = useToast();
  const selects = table.fields.filter((f) => f.type === "single_select");
  const stack: Field | undefined = selects.find((f) => f.id === config.stack_field) ?? selects[0];
  const rows = useCardRows(table.id, config.filter, toSortParam(config.sort ?? []));
  const [open, setOpen] = useState<Row | null>(null);
  const [dragOver, setDragOver] = useState<string | null>(null);
  const [addField, setAddField] = useState(false);
  const cardFields = visibleFields(table, config).filter((f) => f.id !== table.primary_field_id && f.id !== stack?.id);

  const columns = useMemo(() => {
    const names = [null, ...(stack?.options?.choices ?? []).map((c) => c.name)];
    const by = new Map<string | null, Row[]>(names.map((n) => [n, []]));
    for (const r of rows.data?.rows ?? []) {
      const v = stack ? (r.fields[fieldKey(stack.id)] as string | null) ?? null : null;
      (by.get(v) ?? by.get(null))!.push(r);
    }
    return names.map((n) => ({ name: n, color: stack?.options?.choices?.find((c) => c.name === n)?.color ?? "gray", rows: by.get(n) ?? [] }));
  }, [rows.data, stack]);

  const move = (rowId: number, to: string | null) => {
    const row = rows.data?.rows.find((r) => r.id === rowId);
    if (!row || !stack || (row.fields[fieldKey(stack.id)] ?? null) === to) return;
    void commitCell(table.id, row, stack, to, { apply: rows.setRow, notify: (m, k) => toast.show(m, k) });
  };
  const addCard = async (to: string | null) => {
    try {
      const res = await endpoints.createRows(table.id, [{ fields: stack && to ? { [fieldKey(stack.id)]: to } : {} }]);
      await rows.refetch();
      if (res.rows[0]) setOpen(res.rows[0]);
    } catch (e) {
      toast.error(e);
    }
  };

  return (
    <>
      <div className="view-toolbar">
        {switcher}
        <span className="toolbar-sep" />
        {selects.length > 0 && (
          <label className="row small">
            <span className="muted">Stack by</span>
            <select className="select select-sm" style={{ width: "auto" }} value={stack?.id} onChange={(e) => updateConfig({ stack_field: Number(e.target.value) })}>
              {selects.map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
            </select>
          </label>
        )}
        <FilterMenu config={config} fields={table.fields} update={updateConfig} />
        <span className="spacer" />
        {rows.data?.truncated && <span className="small muted">Showing the first {rows.data.rows.length} rows</span>}
      </div>
      <div className="view-body">
        {!stack ? (
          <EmptyState icon={<Columns3 size={22} />} title="Kanban needs a single select field" action={canEditSchema && <button className="btn btn-primary" onClick={() => setAddField(true)}>Add a single select field</button>}>
            Cards are stacked in one column per option, e.g. by Status.
          </EmptyState>
        ) : rows.isPending ? <Loading /> : rows.isError ? <ErrorState error={rows.error} onRetry={() => rows.refetch()} /> : (
          <div className="kanban">
            {columns.map((col) => (
              <section
                key={col.name ?? "__none"}
                className={`kanban-col${dragOver === (col.name ?? "") ? " over" : ""}`}
                aria-label={col.name ?? "Uncategorized"}
                onDragOver={(e) => { if (canEditData) { e.preventDefault(); setDragOver(col.name ?? ""); } }}
                onDragLeave={() => setDragOver(null)}
                onDrop={(e) => { e.preventDefault(); setDragOver(null); move(Number(e.dataTransfer.getData("text/x-row")), col.name); }}
              >
                <header className="kanban-col-head">
                  <span className={`chip chip-${col.name ? col.color : "gray"}`}>{col.name ?? "Uncategorized"}</span>
                  <span className="faint small">{col.rows.length}</span>
                </header>
                <div className="kanban-cards">
                  {col.rows.map((r) => (
                    <button
                      key={r.id}
                      className="card kanban-card"
                      draggable={canEditData}
                      onDragStart={(e) => { e.dataTransfer.setData("text/x-row", String(r.id)); e.dataTransfer.effectAllowed = "move"; }}
                      onClick={() => setOpen(r)}
                    >
                      <strong className="truncate">{rowTitle(table, r)}</strong>
                      <CardFields fields={cardFields} row={r} />
                    </button>
                  ))}
                </div>
                {canEditData && (
                  <button className="btn btn-ghost btn-sm kanban-add" onClick={() => addCard(col.name)}><Plus size={14} /> New</button>
                )}
              </section>
            ))}
          </div>
        )}
      </div>
      {open && <RowPanel key={open.id} initial={open} onClose={() => setOpen(null)} onSaved={rows.setRow} onDeleted={() => rows.refetch()} />}
      {addField && <FieldDialog table={table} tables={base.tables} onClose={() => setAddField(false)} onSaved={async () => { await refreshSchema(); }} />}
    </>
  );
}
