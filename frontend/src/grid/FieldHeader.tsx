import type { CustomHeaderProps } from "ag-grid-react";
import { ArrowDownAZ, ArrowDownZA, ArrowDown, ArrowUp, ChevronDown, EyeOff, Group, Pencil, Pin, Trash2 } from "lucide-react";
import type { Field } from "../api/types";
import { typeInfo } from "../fields/fieldTypes";
import { Popover, usePopover } from "../ui/Popover";

export interface FieldHeaderParams {
  field: Field;
  isPrimary: (field: Field) => boolean;
  sortOf: (field: Field) => "asc" | "desc" | undefined;
  canEdit: boolean;
  onEdit: (field: Field) => void;
  onSort: (field: Field, direction: "asc" | "desc") => void;
  onGroup: (field: Field) => void;
  onHide: (field: Field) => void;
  onFreeze: (field: Field) => void;
  onDelete: (field: Field) => void;
}

export function FieldHeader(props: CustomHeaderProps & FieldHeaderParams) {
  const { field } = props;
  const info = typeInfo(field.type);
  const menu = usePopover();
  const sort = props.sortOf(field);
  const primary = props.isPrimary(field);
  const act = (fn: () => void) => () => {
    menu.close();
    fn();
  };
  return (
    <div className="field-header" title={field.description ? `${field.name}: ${field.description}` : field.name}>
      <info.icon size={14} className="field-header-icon" aria-label={info.label} />
      <span className="truncate field-header-name">{field.name}</span>
      {sort && (sort === "asc" ? <ArrowUp size={13} aria-label="Sorted ascending" /> : <ArrowDown size={13} aria-label="Sorted descending" />)}
      <button className="field-header-menu" aria-label={`${field.name} field menu`} onClick={menu.toggle}>
        <ChevronDown size={14} />
      </button>
      {menu.open && (
        <Popover anchor={menu.anchor} onClose={menu.close} width={220}>
          <div role="menu">
            {props.canEdit && (
              <button className="menu-item" role="menuitem" onClick={act(() => props.onEdit(field))}>
                <Pencil size={14} /> Edit field
              </button>
            )}
            <button className="menu-item" role="menuitem" onClick={act(() => props.onSort(field, "asc"))}>
              <ArrowDownAZ size={14} /> Sort ascending
            </button>
            <button className="menu-item" role="menuitem" onClick={act(() => props.onSort(field, "desc"))}>
              <ArrowDownZA size={14} /> Sort descending
            </button>
            <button className="menu-item" role="menuitem" onClick={act(() => props.onGroup(field))}>
              <Group size={14} /> Group by this field
            </button>
            <button className="menu-item" role="menuitem" onClick={act(() => props.onFreeze(field))}>
              <Pin size={14} /> Freeze up to this field
            </button>
            {!primary && (
              <button className="menu-item" role="menuitem" onClick={act(() => props.onHide(field))}>
                <EyeOff size={14} /> Hide field
              </button>
            )}
            {props.canEdit && !primary && (
              <>
                <div className="menu-sep" />
                <button className="menu-item danger" role="menuitem" onClick={act(() => props.onDelete(field))}>
                  <Trash2 size={14} /> Delete field
                </button>
              </>
            )}
          </div>
        </Popover>
      )}
    </div>
  );
}
