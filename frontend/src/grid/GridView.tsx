import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  CellStyleModule, ColumnApiModule, CustomEditorModule, InfiniteRowModelModule, ModuleRegistry, RenderApiModule, RowApiModule, RowSelectionModule, RowStyleModule, ValidationModule, themeQuartz,
  type CellEditingStoppedEvent, type CellEditRequestEvent, type CellKeyDownEvent, type ColDef, type ColumnResizedEvent, type GridApi,
  type GetRowIdParams, type GridReadyEvent, type IsFullWidthRowParams, type RowClassParams, type RowSelectionOptions,
  type SelectionColumnDef,
} from "ag-grid-community";
import { AgGridReact } from "ag-grid-react";
import { Sheet } from "lucide-react";
import { endpoints } from "../api/endpoints";
import type { Field, Row } from "../api/types";
import type { ViewProps } from "../base/BasePage";
import { useView, visibleFields } from "../base/context";
import { FieldDialog } from "../fields/FieldDialog";
import { isEditable } from "../fields/fieldTypes";
import { fieldKey, parseInput } from "../fields/format";
import { useLiveGrid } from "../live/useLiveGrid";
import { useMe } from "../shell/auth";
import { ConfirmDialog } from "../ui/dialogs";
import { EmptyState, ErrorState } from "../ui/States";
import { useToast } from "../ui/toast";
import { matchFilter } from "../views/filter";
import { isTextEdit } from "./cellEditors";
import { buildColumns, GroupRow } from "./columns";
import type { GridContext } from "./gridContext";
import { GridToolbar } from "./GridToolbar";
import { isGroupHeader, type GridItem } from "./pager";
import { RowPanel } from "./RowPanel";
import { rowCommits } from "./rowCommit";
import { useGridClipboard } from "./clipboardActions";
import { isMultiCell } from "./selection";
import { useRangeSelection } from "./selectionState";
import { useGridUndo } from "./undoActions";
import { BLOCK, useGridData } from "./useGridData";
import { useDebounced } from "../ui/useDebounced";
import "./grid.css";

// Only the grid features in use: a third less code to load and parse before the first rows
// paint than all community modules. A feature used without its module logs AG Grid error
// #200, which fails the browser tests (tests/e2e/conftest.py).
ModuleRegistry.registerModules([
  InfiniteRowModelModule,
  CustomEditorModule,
  RowSelectionModule,
  CellStyleModule,
  RowStyleModule,
  RowApiModule,
  ColumnApiModule,
  RenderApiModule,
  ...(import.meta.env.DEV ? [ValidationModule] : []),
]);

const theme = themeQuartz.withParams({
  fontFamily: "inherit",
  fontSize: 13,
  accentColor: "#4f46e5",
  borderColor: "#e3e5ea",
  headerBackgroundColor: "#f7f8fa",
  headerFontWeight: 500,
  headerTextColor: "#434a57",
  rowHeight: 36,
  headerHeight: 36,
  wrapperBorder: false,
  wrapperBorderRadius: 0,
  columnBorder: true,
  selectedRowBackgroundColor: "#eef0ff",
  rowHoverColor: "#f7f8fb",
});

const asRow = (d: GridItem | undefined): Row | undefined => (d && !isGroupHeader(d) ? d : undefined);

function emptyValue(field: Field): unknown {
  if (field.type === "checkbox") return false;
  if (["multiple_select", "link", "collaborator", "attachment"].includes(field.type)) return [];
  return null;
}

// Grid options that are objects or functions live outside the component (or are memoized):
// AG Grid treats a new identity as a changed option, and some changes (column defaults, the
// selection column) rebuild the columns, which ends a cell edit that is under way.
const DEFAULT_COL_DEF: ColDef<GridItem> = { resizable: true, sortable: false, suppressHeaderMenuButton: true };
const SELECTION_COLUMN: SelectionColumnDef = { pinned: "left", width: 44, lockPinned: true };
const ROW_SELECTION: RowSelectionOptions<GridItem> = {
  mode: "multiRow",
  checkboxes: true,
  headerCheckbox: false,
  enableClickSelection: false,
  isRowSelectable: (n) => !!asRow(n.data),
};
const getRowId = (p: GetRowIdParams<GridItem>) => (isGroupHeader(p.data) ? p.data.id : String(p.data.id));
const isFullWidthRow = (p: IsFullWidthRowParams<GridItem>) => isGroupHeader(p.rowNode.data);

export default function GridView({ switcher }: ViewProps) {
  const { base, table, config, fieldsById, canEditData, canEditSchema, updateConfig, refreshSchema } = useView();
  const toast = useToast();
  const me = useMe();
  const apiRef = useRef<GridApi<GridItem> | null>(null);
  const [search, setSearch] = useState("");
  const debouncedSearch = useDebounced(search, 300);
  const [selected, setSelected] = useState<number[]>([]);
  const [openRow, setOpenRow] = useState<Row | null>(null);
  const [fieldDialog, setFieldDialog] = useState<{ field?: Field } | null>(null);
  const [deletingField, setDeletingField] = useState<Field | null>(null);
  const [deletingRows, setDeletingRows] = useState(false);
  const fieldsByKey = useMemo(() => new Map(table.fields.map((f) => [fieldKey(f.id), f])), [table.fields]);
  const data = useGridData(table.id, config, debouncedSearch, fieldsByKey);
  const groupRowParams = useMemo(() => ({ fields: fieldsByKey }), [fieldsByKey]);

  const applyRow = useCallback(
    (row: Row) => {
      apiRef.current?.getRowNode(String(row.id))?.setData(row);
      data.pager()?.patchRow(row);
    },
    [data],
  );
  const notify = useCallback((m: string, kind: "info" | "error" | "success" = "info") => toast.show(m, kind), [toast]);
  const getApi = useCallback(() => apiRef.current, []);
  const undo = useGridUndo({
    tableId: table.id,
    fieldsById,
    applyRow,
    notify,
  });
  const { record } = undo;
  /** Save one cell; a saved edit can be undone. */
  const commit = useCallback(
    (row: Row, field: Field, value: unknown) => {
      const old = row.fields[fieldKey(field.id)] ?? null;
      void rowCommits.commit(table.id, row, field, value, { apply: applyRow, notify }).then((done) => {
        if (!done) return;
        const { saved, from } = done;
        const change = { rowId: row.id, fieldId: field.id, old, value: saved.fields[fieldKey(field.id)] ?? value };
        record({ tableId: table.id, label: `edit of ${field.name}`, changes: [change], versions: { [row.id]: saved.version } }, new Map([[row.id, from]]));
      });
    },
    [table.id, applyRow, notify, record],
  );
  const isDataColumn = useCallback((colId: string) => fieldsById.has(Number(colId)), [fieldsById]);
  const selection = useRangeSelection(getApi, isDataColumn);
  const clipboard = useGridClipboard({ tableId: table.id, api: getApi, canEdit: canEditData, fieldsById, selection, applyRow, record, notify });
  const live = useLiveGrid({
    baseId: base.id,
    tableId: table.id,
    me: me.id,
    api: getApi,
    fieldsById,
    applyRow,
    notify: (m) => notify(m, "info"),
    refresh: () => {
      data.refresh();
      apiRef.current?.refreshInfiniteCache();
    },
  });

  // AG Grid ends a running cell edit when `context` changes identity, and this component
  // renders again whenever something arrives (a row count, a schema refetch, a toast). So
  // the grid gets one object for its lifetime, kept current on every render.
  const [context] = useState(() => ({}) as GridContext);
  Object.assign(context, {
    baseId: base.id,
    workspaceId: base.workspace_id,
    tables: base.tables,
    canEdit: canEditData,
    grouped: data.grouped,
    commit,
    openRow: setOpenRow,
    clickButton: async (row: Row, field: Field) => {
      try {
        await endpoints.clickButton(table.id, row.id, field.id);
        toast.success(`"${field.options?.label || field.name}" started`);
        applyRow(await endpoints.row(table.id, row.id));
      } catch (e) {
        toast.error(e);
      }
    },
  } satisfies GridContext);

  const sortOf = useCallback((f: Field) => config.sort?.find((s) => s.field === fieldKey(f.id))?.direction, [config.sort]);
  const { cellClassRules } = selection;
  const columns = useMemo<ColDef<GridItem>[]>(
    () =>
      buildColumns(table, config, canEditData, {
        isPrimary: (f) => f.id === table.primary_field_id,
        sortOf,
        canEdit: canEditSchema,
        onEdit: (field) => setFieldDialog({ field }),
        onSort: (f, direction) => updateConfig({ sort: [{ field: fieldKey(f.id), direction }, ...(config.sort ?? []).filter((s) => s.field !== fieldKey(f.id))] }),
        onGroup: (f) => updateConfig({ group_by: [{ field: fieldKey(f.id), direction: "asc" }] }),
        onHide: (f) => updateConfig({ hidden_fields: [...(config.hidden_fields ?? []), f.id] }),
        onFreeze: (f) => updateConfig({ frozen_columns: visibleFields(table, config).findIndex((x) => x.id === f.id) + 1 }),
        onDelete: setDeletingField,
      }).map((col) => (fieldsById.has(Number(col.colId)) ? { ...col, cellClassRules } : col)),
    [table, config, canEditData, canEditSchema, sortOf, updateConfig, fieldsById, cellClassRules],
  );

  // Exact or estimated totals let the scrollbar show the whole table before it is loaded.
  useEffect(() => {
    if (data.count && !data.grouped) apiRef.current?.setRowCount(data.count.count, !data.count.estimated);
  }, [data.count, data.grouped]);

  const rowColors = config.row_colors;
  useEffect(() => {
    apiRef.current?.redrawRows();
  }, [rowColors]);
  const getRowClass = useCallback(
    (p: RowClassParams<GridItem>) => {
      const row = asRow(p.data);
      if (!row || !rowColors?.length) return undefined;
      const rule = rowColors.find((r) => matchFilter(r.filter, row.fields, fieldsByKey));
      return rule ? `row-color row-color-${rule.color}` : undefined;
    },
    [rowColors, fieldsByKey],
  );

  const onCellEditRequest = (e: CellEditRequestEvent<GridItem>) => {
    const row = asRow(e.data);
    const field = fieldsById.get(Number(e.colDef.colId));
    // Delete on a cell: onCellKeyDown (one cell) or the range clear (several) saves it.
    if (!row || !field || e.source === "cellClear") return;
    let value = e.newValue;
    if (isTextEdit(value)) {
      const parsed = parseInput(field, value.__text);
      if (!parsed.ok) return toast.show(`${field.name}: ${parsed.error}`, "error");
      value = parsed.value;
    }
    if (JSON.stringify(value) === JSON.stringify(e.oldValue ?? null)) return;
    // A newer version of the row arrived while editing: save on top of it unless it changed
    // this very cell (then the old version goes out and the server answers 409 with a notice).
    const pending = live.takePending(row.id);
    commit(pending && !pending.fields.has(field.id) ? pending.row : row, field, value);
  };

  const onCellEditingStopped = (e: CellEditingStoppedEvent<GridItem>) => {
    const row = asRow(e.data);
    if (row) live.flushPending(row.id);
  };

  /** Range keys, before the browser's own copy/paste (which must see the selection). */
  const onGridKeyDown = (ev: React.KeyboardEvent) => {
    const target = ev.target as HTMLElement;
    if (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || apiRef.current?.getEditingCells().length) return;
    const mod = ev.ctrlKey || ev.metaKey;
    const key = ev.key.toLowerCase();
    if (mod && key === "c" && !ev.shiftKey) clipboard.copy();
    else if (mod && key === "v" && !ev.shiftKey && canEditData) clipboard.paste();
    else if (mod && key === "z" && !ev.shiftKey && canEditData) {
      ev.preventDefault();
      void undo.undo();
    } else if ((ev.key === "Delete" || ev.key === "Backspace") && canEditData && isMultiCell(selection.bounds())) {
      ev.preventDefault();
      void clipboard.clear();
    } else if (ev.key === "Escape" && isMultiCell(selection.bounds())) {
      selection.clear();
    }
  };

  const onCellKeyDown = (e: CellKeyDownEvent<GridItem>) => {
    const ev = e.event as KeyboardEvent | undefined;
    const row = asRow(e.data);
    const field = fieldsById.get(Number(e.column.getColId()));
    if (!ev || !row || e.api.getEditingCells().length) return;
    // AG Grid reports some keys after the editor has closed: a key typed into an editor
    // (a space before Enter) is not a key on the cell.
    const from = ev.target as HTMLElement | null;
    if (from?.closest("input, textarea, select, [contenteditable='true'], .ag-cell-editor, .ag-popup-editor")) return;
    const editable = !!field && canEditData && isEditable(field);
    const mod = ev.ctrlKey || ev.metaKey;
    if (ev.key === " " && !mod) {
      ev.preventDefault();
      if (field?.type === "checkbox" && editable) commit(row, field, !row.fields[fieldKey(field.id)]);
      else setOpenRow(row);
    } else if ((ev.key === "Delete" || ev.key === "Backspace") && field && editable && !isMultiCell(selection.bounds())) {
      commit(row, field, emptyValue(field));
    }
    // Copy, paste and undo: onGridKeyDown (it must run before the browser's copy/paste).
  };

  const onColumnResized = (e: ColumnResizedEvent<GridItem>) => {
    if (!e.finished || e.source !== "uiColumnResized" || !e.column) return;
    const id = e.column.getColId();
    if (!fieldsById.has(Number(id))) return;
    updateConfig({ field_widths: { ...(config.field_widths ?? {}), [id]: e.column.getActualWidth() } });
  };

  const onDragStopped = () => {
    const state = apiRef.current?.getColumnState() ?? [];
    const shown = state.map((c) => Number(c.colId)).filter((id) => fieldsById.has(id));
    const hidden = (config.hidden_fields ?? []).filter((id) => !shown.includes(id));
    const next = [...shown, ...hidden];
    if (JSON.stringify(next) !== JSON.stringify(config.field_order ?? [])) updateConfig({ field_order: next });
    selection.clear(); // column positions changed under the range
  };

  const addRow = async () => {
    try {
      const res = await endpoints.createRows(table.id, [{ fields: {} }]);
      data.reload();
      if (res.rows[0]) setOpenRow(res.rows[0]);
    } catch (e) {
      toast.error(e);
    }
  };

  const hasQuery = !!(debouncedSearch || config.filter);
  return (
    <>
      <GridToolbar
        switcher={switcher}
        search={search}
        setSearch={setSearch}
        count={data.count}
        selected={selected.length}
        onDeleteSelected={() => setDeletingRows(true)}
        onAddRow={addRow}
        onAddField={() => setFieldDialog({})}
        undoLabel={undo.label}
        onUndo={() => void undo.undo()}
      />
      <div className="view-body grid-body" onKeyDown={onGridKeyDown} onMouseDownCapture={selection.onMouseDownCapture} onCopy={clipboard.onCopyEvent} onPaste={clipboard.onPasteEvent}>
        {data.error ? (
          <ErrorState error={data.error} onRetry={data.reload} />
        ) : (
          <AgGridReact<GridItem>
            theme={theme}
            columnDefs={columns}
            context={context}
            rowModelType="infinite"
            datasource={data.datasource}
            cacheBlockSize={BLOCK}
            maxBlocksInCache={60}
            infiniteInitialRowCount={1}
            blockLoadDebounceMillis={40}
            maxConcurrentDatasourceRequests={2}
            getRowId={getRowId}
            isFullWidthRow={isFullWidthRow}
            fullWidthCellRenderer={GroupRow}
            fullWidthCellRendererParams={groupRowParams}
            rowSelection={ROW_SELECTION}
            selectionColumnDef={SELECTION_COLUMN}
            onSelectionChanged={(e) => setSelected(e.api.getSelectedRows().map(asRow).filter((r): r is Row => !!r).map((r) => r.id))}
            readOnlyEdit
            onCellEditRequest={onCellEditRequest}
            onCellKeyDown={onCellKeyDown}
            onCellEditingStopped={onCellEditingStopped}
            onCellFocused={selection.onCellFocused}
            navigateToNextCell={selection.navigateToNextCell}
            onColumnResized={onColumnResized}
            onDragStopped={onDragStopped}
            getRowClass={getRowClass}
            stopEditingWhenCellsLoseFocus
            enterNavigatesVerticallyAfterEdit
            suppressDragLeaveHidesColumns
            defaultColDef={DEFAULT_COL_DEF}
            onGridReady={(e: GridReadyEvent<GridItem>) => (apiRef.current = e.api)}
          />
        )}
        {data.count?.count === 0 && !data.error && (
          <div className="grid-empty">
            {hasQuery ? (
              <EmptyState title="No matching rows">Try another search or loosen the filter.</EmptyState>
            ) : (
              <EmptyState icon={<Sheet size={22} />} title="No rows yet" action={canEditData && <button className="btn btn-primary" onClick={addRow}>Add the first row</button>}>
                Add rows here, share a form, or import them through the API.
              </EmptyState>
            )}
          </div>
        )}
      </div>
      {openRow && (
        <RowPanel
          key={openRow.id}
          initial={openRow}
          onClose={() => setOpenRow(null)}
          onSaved={applyRow}
          onDeleted={() => data.reload()}
        />
      )}
      {fieldDialog && (
        <FieldDialog
          table={table}
          tables={base.tables}
          field={fieldDialog.field}
          onClose={() => setFieldDialog(null)}
          onSaved={async () => {
            await refreshSchema();
            data.reload();
          }}
        />
      )}
      {deletingField && (
        <ConfirmDialog title={`Delete field "${deletingField.name}"?`} danger confirmLabel="Delete field" onClose={() => setDeletingField(null)} onConfirm={async () => {
          await endpoints.deleteField(deletingField.id);
          await refreshSchema();
        }}>
          Its values in every row are deleted. Formulas that use it will show a broken-reference error.
        </ConfirmDialog>
      )}
      {deletingRows && (
        <ConfirmDialog title={`Delete ${selected.length} ${selected.length === 1 ? "row" : "rows"}?`} danger confirmLabel="Delete" onClose={() => setDeletingRows(false)} onConfirm={async () => {
          await endpoints.deleteRows(table.id, selected);
          setSelected([]);
          data.reload();
          toast.success("Rows moved to the trash");
        }}>
          The rows go to the trash of this base and can be restored from there.
        </ConfirmDialog>
      )}
    </>
  );
}
