import { Plus, Search, Trash2, Columns3, Undo2 } from "lucide-react";
import type { RowCount } from "../api/types";
import { useView } from "../base/context";
import { ColorMenu, FieldsMenu, FilterMenu, GroupMenu, SortMenu } from "../views/ToolbarMenus";
import { formatNumber } from "../fields/format";
import { TableDataButtons } from "../interchange/TableDataButtons";

export function formatCount(count: RowCount | null): string {
  if (!count) return "";
  const n = formatNumber(count.count);
  return `${count.estimated ? "≈ " : ""}${n} ${count.count === 1 ? "row" : "rows"}`;
}

export function GridToolbar(props: {
  switcher: React.ReactNode;
  search: string;
  setSearch: (s: string) => void;
  count: RowCount | null;
  selected: number;
  onDeleteSelected: () => void;
  onAddRow: () => void;
  onAddField: () => void;
  /** What Undo would undo ("edit of Stock"), or null when there is nothing to undo. */
  undoLabel?: string | null;
  onUndo?: () => void;
}) {
  const { table, config, updateConfig, canEditData, canEditSchema } = useView();
  const fields = table.fields;
  return (
    <div className="view-toolbar" role="toolbar" aria-label="View tools">
      {props.switcher}
      <span className="toolbar-sep" />
      <FieldsMenu table={table} config={config} update={updateConfig} />
      <FilterMenu config={config} fields={fields} update={updateConfig} />
      <SortMenu config={config} fields={fields} update={updateConfig} />
      <GroupMenu config={config} fields={fields} update={updateConfig} />
      <ColorMenu config={config} fields={fields} update={updateConfig} />
      <span className="toolbar-sep" />
      <TableDataButtons />
      <span className="spacer" />
      {props.selected > 0 && canEditData && (
        <button className="btn btn-sm btn-danger" onClick={props.onDeleteSelected}>
          <Trash2 size={14} /> Delete {props.selected} {props.selected === 1 ? "row" : "rows"}
        </button>
      )}
      {canEditData && props.onUndo && (
        <button
          className="btn btn-sm btn-ghost btn-icon"
          onClick={props.onUndo}
          disabled={!props.undoLabel}
          aria-label={props.undoLabel ? `Undo ${props.undoLabel}` : "Undo"}
          title={props.undoLabel ? `Undo ${props.undoLabel} (Ctrl+Z)` : "Nothing to undo yet: edits and pastes in this grid can be undone with Ctrl+Z"}
          data-testid="grid-undo"
        >
          <Undo2 size={15} />
        </button>
      )}
      <div className="search-box">
        <Search size={14} />
        <input className="input input-sm" type="search" placeholder="Search" aria-label="Search rows" value={props.search} onChange={(e) => props.setSearch(e.target.value)} />
      </div>
      <span className="toolbar-count" aria-live="polite" data-testid="row-count">{formatCount(props.count)}</span>
      {canEditSchema && (
        <button className="btn btn-sm" onClick={props.onAddField} aria-label="Add field" title="Add field">
          <Columns3 size={14} /> <span className="label-text">Add field</span>
        </button>
      )}
      {canEditData && (
        <button className="btn btn-sm btn-primary" onClick={props.onAddRow} aria-label="Add row" title="Add row">
          <Plus size={14} /> <span className="label-text">Add row</span>
        </button>
      )}
    </div>
  );
}
