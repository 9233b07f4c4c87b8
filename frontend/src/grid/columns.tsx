import type { ColDef, ICellRendererParams, SuppressKeyboardEventParams } from "ag-grid-community";
import { Maximize2 } from "lucide-react";
import type { Field, Row, Table, ViewConfig } from "../api/types";
import { CellValue, Stars } from "../fields/CellValue";
import { isEditable } from "../fields/fieldTypes";
import { fieldKey, resultField } from "../fields/format";
import { visibleFields } from "../base/context";
import { DateCellEditor, LongTextCellEditor, PickerCellEditor, TextCellEditor } from "./cellEditors";
import { FieldHeader, type FieldHeaderParams } from "./FieldHeader";
import type { GridContext } from "./gridContext";
import { isGroupHeader, type GridItem } from "./pager";

type CellParams = ICellRendererParams<GridItem, unknown, GridContext> & { field: Field };

const asRow = (item: GridItem | undefined): Row | undefined => (item && !isGroupHeader(item) ? item : undefined);

/** One grid cell: text, chips, stars, thumbnails or a button, never HTML from the data. */
export function GridCell(p: CellParams) {
  const row = asRow(p.data);
  if (!row) return p.node.rowIndex !== null && !p.data ? <span className="skeleton cell-skeleton" /> : null;
  const { field, context } = p;
  const value = row.fields[fieldKey(field.id)];
  const editable = context.canEdit && isEditable(field);
  if (field.type === "checkbox") {
    return (
      <input
        type="checkbox"
        className="checkbox"
        checked={!!value}
        disabled={!editable}
        aria-label={field.name}
        tabIndex={-1}
        onChange={(e) => context.commit(row, field, e.target.checked)}
      />
    );
  }
  if (field.type === "rating" && editable) {
    return <Stars value={Number(value) || 0} max={field.options?.max || 5} onChange={(v) => context.commit(row, field, v)} />;
  }
  if (field.type === "button") {
    return (
      <button className="btn btn-sm" onClick={(e) => { e.stopPropagation(); context.clickButton(row, field); }}>
        {field.options?.label || "Run"}
      </button>
    );
  }
  return <CellValue field={field} value={value} />;
}

function RowNumberCell(p: ICellRendererParams<GridItem, unknown, GridContext>) {
  const row = asRow(p.data);
  if (!row) return null;
  return (
    <div className="rownum">
      <span className="rownum-n">{p.context.grouped ? "" : (p.node.rowIndex ?? 0) + 1}</span>
      <button className="rownum-expand" aria-label="Expand row" title="Expand row (Space)" onClick={() => p.context.openRow(row)}>
        <Maximize2 size={13} />
      </button>
    </div>
  );
}

export function GroupRow(p: ICellRendererParams<GridItem, unknown, GridContext> & { fields: Map<string, Field> }) {
  const item = p.data;
  if (!isGroupHeader(item)) return null;
  const field = p.fields.get(item.__group.fieldKey);
  return (
    <div className="group-row" style={{ paddingLeft: 16 + item.__group.level * 20 }}>
      <span className="faint small">{field?.name}</span>
      <strong>{item.__group.label || "(empty)"}</strong>
    </div>
  );
}

const DEFAULT_WIDTH: Partial<Record<Field["type"], number>> = {
  checkbox: 90, rating: 130, number: 120, currency: 130, percent: 110, duration: 110,
  date: 140, datetime: 190, long_text: 260, attachment: 170, link: 200, button: 130,
};

const POPUP_TYPES = new Set(["single_select", "multiple_select", "link", "collaborator", "attachment"]);
const TEXT_TYPES = new Set(["text", "email", "url", "phone", "number", "currency", "percent", "rating", "duration"]);

function editorFor(field: Field): Pick<ColDef, "cellEditor" | "cellEditorPopup" | "cellEditorParams" | "cellEditorPopupPosition"> {
  if (field.type === "long_text") return { cellEditor: LongTextCellEditor, cellEditorPopup: true, cellEditorParams: { field } };
  if (field.type === "date" || field.type === "datetime") return { cellEditor: DateCellEditor, cellEditorParams: { field } };
  if (POPUP_TYPES.has(field.type)) return { cellEditor: PickerCellEditor, cellEditorPopup: true, cellEditorParams: { field }, cellEditorPopupPosition: "under" };
  if (TEXT_TYPES.has(field.type)) return { cellEditor: TextCellEditor, cellEditorParams: { field } };
  return {};
}

/** Long text: Shift+Enter adds a line instead of finishing the edit. */
function keepShiftEnter(p: SuppressKeyboardEventParams): boolean {
  return p.editing && p.event.key === "Enter" && p.event.shiftKey;
}

export function buildColumns(table: Table, config: ViewConfig, canEdit: boolean, header: Omit<FieldHeaderParams, "field">): ColDef<GridItem>[] {
  const frozen = Math.max(1, config.frozen_columns ?? 1);
  const widths = config.field_widths ?? {};
  const rowNumber: ColDef<GridItem> = {
    colId: "__row",
    headerName: "",
    width: 64,
    pinned: "left",
    lockPinned: true,
    lockPosition: "left",
    suppressMovable: true,
    resizable: false,
    editable: false,
    cellRenderer: RowNumberCell,
    cellClass: "rownum-cell",
  };
  const fields = visibleFields(table, config).map<ColDef<GridItem>>((field, i) => {
    // No editor (a checkbox toggles on click or Space): not editable, so AG Grid needs no
    // default text editor for it.
    const editor = editorFor(field);
    const editable = !!editor.cellEditor && canEdit && isEditable(field);
    return {
      colId: String(field.id),
      headerName: field.name,
      headerComponent: FieldHeader,
      headerComponentParams: { ...header, field },
      width: widths[String(field.id)] ?? DEFAULT_WIDTH[field.type] ?? 180,
      minWidth: 70,
      pinned: i < frozen ? "left" : undefined,
      lockPinned: true,
      valueGetter: (p) => asRow(p.data)?.fields[fieldKey(field.id)],
      editable: editable && ((p) => !!asRow(p.data)),
      cellRenderer: GridCell,
      cellRendererParams: { field },
      cellClass: `cell-${(resultField(field) ?? field).type}`,
      suppressKeyboardEvent: field.type === "long_text" ? keepShiftEnter : undefined,
      ...editor,
    };
  });
  return [rowNumber, ...fields];
}
