import { useMemo, useState } from "react";
import { CalendarDays, ChevronLeft, ChevronRight } from "lucide-react";
import type { FilterGroup, Row } from "../api/types";
import type { ViewProps } from "../base/BasePage";
import { useView } from "../base/context";
import { fieldKey, toIsoWithOffset } from "../fields/format";
import { RowPanel } from "../grid/RowPanel";
import { commitCell } from "../grid/rowCommit";
import { EmptyState, ErrorState, Loading } from "../ui/States";
import { useToast } from "../ui/toast";
import { rowTitle } from "../views/CardParts";
import { FilterMenu } from "../views/ToolbarMenus";
import { useCardRows } from "../views/useRows";
import { cellDay, monthDays, moveToDay } from "./month";
import "../views/cards.css";

const DOW = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MAX_PER_DAY = 3;

export default function CalendarView({ switcher }: ViewProps) {
  const { table, config, updateConfig, canEditData } = useView();
  const toast = useToast();
  const dateFields = table.fields.filter((f) => ["date", "datetime", "created_time", "modified_time"].includes(f.type));
  const field = dateFields.find((f) => f.id === config.date_field) ?? dateFields[0];
  const now = new Date();
  const [ym, setYm] = useState({ y: now.getFullYear(), m: now.getMonth() });
  const days = useMemo(() => monthDays(ym.y, ym.m), [ym]);
  const [open, setOpen] = useState<Row | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const today = cellDay(toIsoWithOffset(now));
  const key = field ? fieldKey(field.id) : "";
  const range: FilterGroup = { and: [...(config.filter ? [config.filter] : []), { field: key, op: "after", value: shift(days[0], -1) }, { field: key, op: "before", value: shift(days[41], 1) }] };
  const rows = useCardRows(table.id, field ? range : config.filter, key);
  const editable = canEditData && field && (field.type === "date" || field.type === "datetime");

  const byDay = useMemo(() => {
    const m = new Map<string, Row[]>();
    for (const r of rows.data?.rows ?? []) {
      const d = cellDay(r.fields[key]);
      if (d) m.set(d, [...(m.get(d) ?? []), r]);
    }
    return m;
  }, [rows.data, key]);

  const drop = (rowId: number, day: string) => {
    const row = rows.data?.rows.find((r) => r.id === rowId);
    if (!row || !field || cellDay(row.fields[key]) === day) return;
    const value = moveToDay(row.fields[key], day, field.type === "datetime", toIsoWithOffset);
    void commitCell(table.id, row, field, value, { apply: rows.setRow, notify: (m, k) => toast.show(m, k) });
  };
  const title = new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric" }).format(new Date(ym.y, ym.m, 1));
  const step = (d: number) => setYm(({ y, m }) => ({ y: m + d < 0 ? y - 1 : m + d > 11 ? y + 1 : y, m: (m + d + 12) % 12 }));

  return (
    <>
      <div className="view-toolbar">
        {switcher}
        <span className="toolbar-sep" />
        {dateFields.length > 0 && (
          <label className="row small">
            <span className="muted">Date field</span>
            <select className="select select-sm" style={{ width: "auto" }} value={field?.id} onChange={(e) => updateConfig({ date_field: Number(e.target.value) })}>
              {dateFields.map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
            </select>
          </label>
        )}
        <FilterMenu config={config} fields={table.fields} update={updateConfig} />
      </div>
      <div className="view-body">
        {!field ? (
          <EmptyState icon={<CalendarDays size={22} />} title="Calendar needs a date field">Add a date field to this table to see its rows on a calendar.</EmptyState>
        ) : (
          <div className="calendar">
            <div className="calendar-head">
              <h2 style={{ minWidth: 180 }}>{title}</h2>
              <button className="btn btn-sm btn-icon" aria-label="Previous month" onClick={() => step(-1)}><ChevronLeft size={16} /></button>
              <button className="btn btn-sm" onClick={() => setYm({ y: now.getFullYear(), m: now.getMonth() })}>Today</button>
              <button className="btn btn-sm btn-icon" aria-label="Next month" onClick={() => step(1)}><ChevronRight size={16} /></button>
              {rows.isFetching && <span className="small muted">Loading…</span>}
            </div>
            {rows.isError ? <ErrorState error={rows.error} onRetry={() => rows.refetch()} /> : rows.isPending ? <Loading /> : (
              <div className="calendar-grid" role="grid" aria-label={title}>
                {DOW.map((d) => <div key={d} className="calendar-dow" role="columnheader">{d}</div>)}
                {days.map((day) => {
                  const items = byDay.get(day) ?? [];
                  const other = Number(day.slice(5, 7)) - 1 !== ym.m;
                  return (
                    <div
                      key={day}
                      role="gridcell"
                      aria-label={day}
                      className={`calendar-day${other ? " other" : ""}${day === today ? " today" : ""}${over === day ? " over" : ""}`}
                      onDragOver={(e) => { if (editable) { e.preventDefault(); setOver(day); } }}
                      onDragLeave={() => setOver(null)}
                      onDrop={(e) => { e.preventDefault(); setOver(null); drop(Number(e.dataTransfer.getData("text/x-row")), day); }}
                    >
                      <span className="calendar-num">{Number(day.slice(8))}</span>
                      {items.slice(0, MAX_PER_DAY).map((r) => (
                        <button key={r.id} className="calendar-event" draggable={!!editable} onDragStart={(e) => e.dataTransfer.setData("text/x-row", String(r.id))} onClick={() => setOpen(r)} title={rowTitle(table, r)}>
                          {rowTitle(table, r)}
                        </button>
                      ))}
                      {items.length > MAX_PER_DAY && <span className="calendar-more">+{items.length - MAX_PER_DAY} more</span>}
                    </div>
                  );
                })}
              </div>
            )}
          </div>
        )}
      </div>
      {open && <RowPanel key={open.id} initial={open} onClose={() => setOpen(null)} onSaved={rows.setRow} onDeleted={() => rows.refetch()} />}
    </>
  );
}

function shift(day: string, by: number): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + by)).toISOString().slice(0, 10);
}
