import { useState, type ReactNode } from "react";
import { ArrowDown, ArrowUp, Eye, EyeOff, Filter, Group, ListOrdered, Paintbrush, Plus, Trash2 } from "lucide-react";
import type { Color, Field, FilterGroup, RowColorRule, SortSpec, Table, ViewConfig } from "../api/types";
import { COLORS, typeInfo } from "../fields/fieldTypes";
import { fieldKey } from "../fields/format";
import { orderedFields } from "../base/context";
import { Popover, usePopover } from "../ui/Popover";
import { FilterBuilder } from "./FilterBuilder";
import { countConditions } from "./filter";
import "./views.css";

/** A toolbar button that opens a panel; `count` shows as a badge when set. */
export function ToolbarMenu(props: { icon: ReactNode; label: string; count?: number; children: (close: () => void) => ReactNode; width?: number }) {
  const menu = usePopover();
  const active = !!props.count;
  return (
    <>
      <button className={`btn btn-ghost btn-sm${active ? " active" : ""}`} onClick={menu.toggle} aria-expanded={menu.open} aria-haspopup="dialog" aria-label={props.label} title={props.label}>
        {props.icon}
        <span className="label-text">{props.label}</span>
        {active && <span className="count-badge">{props.count}</span>}
      </button>
      {menu.open && (
        <Popover anchor={menu.anchor} onClose={menu.close} className="popover-pad" width={props.width}>
          {props.children(menu.close)}
        </Popover>
      )}
    </>
  );
}

export function FilterMenu({ config, fields, update }: { config: ViewConfig; fields: Field[]; update: (p: Partial<ViewConfig>) => void }) {
  return (
    <ToolbarMenu icon={<Filter size={15} />} label="Filter" count={countConditions(config.filter)}>
      {() => <FilterBuilder value={config.filter} fields={fields} onChange={(filter) => update({ filter })} />}
    </ToolbarMenu>
  );
}

/** Edit a list of {field, direction}: used for sorts and for group-by. */
export function SortList(props: { value: SortSpec[]; fields: Field[]; onChange: (v: SortSpec[]) => void; addLabel: string; max?: number }) {
  const { value, fields } = props;
  const used = new Set(value.map((s) => s.field));
  const free = fields.filter((f) => !used.has(fieldKey(f.id)) && f.type !== "button");
  const set = (i: number, patch: Partial<SortSpec>) => props.onChange(value.map((s, j) => (i === j ? { ...s, ...patch } : s)));
  return (
    <div style={{ minWidth: 360 }}>
      {value.length === 0 && <p className="small muted" style={{ marginBottom: 8 }}>Nothing yet.</p>}
      {value.map((s, i) => (
        <div key={i} className="sort-line">
          <select className="select select-sm" aria-label="Field" value={s.field} onChange={(e) => set(i, { field: e.target.value })}>
            {fields.filter((f) => f.type !== "button").map((f) => <option key={f.id} value={fieldKey(f.id)} disabled={used.has(fieldKey(f.id)) && fieldKey(f.id) !== s.field}>{f.name}</option>)}
          </select>
          <div className="segmented" role="group" aria-label="Direction">
            <button type="button" aria-pressed={s.direction === "asc"} onClick={() => set(i, { direction: "asc" })}><ArrowUp size={12} /> A→Z</button>
            <button type="button" aria-pressed={s.direction === "desc"} onClick={() => set(i, { direction: "desc" })}><ArrowDown size={12} /> Z→A</button>
          </div>
          <button type="button" className="btn btn-ghost btn-icon btn-sm" aria-label="Remove" onClick={() => props.onChange(value.filter((_, j) => j !== i))}><Trash2 size={14} /></button>
        </div>
      ))}
      {free.length > 0 && value.length < (props.max ?? 5) && (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => props.onChange([...value, { field: fieldKey(free[0].id), direction: "asc" }])}>
          <Plus size={14} /> {props.addLabel}
        </button>
      )}
    </div>
  );
}

export function SortMenu({ config, fields, update }: { config: ViewConfig; fields: Field[]; update: (p: Partial<ViewConfig>) => void }) {
  return (
    <ToolbarMenu icon={<ListOrdered size={15} />} label="Sort" count={config.sort?.length}>
      {() => <SortList value={config.sort ?? []} fields={fields} onChange={(sort) => update({ sort })} addLabel="Add sort" />}
    </ToolbarMenu>
  );
}

export function GroupMenu({ config, fields, update }: { config: ViewConfig; fields: Field[]; update: (p: Partial<ViewConfig>) => void }) {
  return (
    <ToolbarMenu icon={<Group size={15} />} label="Group" count={config.group_by?.length}>
      {() => <SortList value={config.group_by ?? []} fields={fields} onChange={(group_by) => update({ group_by })} addLabel="Group by a field" max={3} />}
    </ToolbarMenu>
  );
}

function ColorRule(props: { rule: RowColorRule; fields: Field[]; onChange: (r: RowColorRule) => void; onRemove: () => void }) {
  return (
    <div className="color-rule">
      <div className="row">
        <span className="small muted">Colour</span>
        <div className="chips wrap">
          {COLORS.map((c) => (
            <button key={c} type="button" aria-label={c} aria-pressed={props.rule.color === c} className={`chip chip-${c} chip-toggle${props.rule.color === c ? " on" : ""}`} onClick={() => props.onChange({ ...props.rule, color: c as Color })}>{c}</button>
          ))}
        </div>
        <span className="spacer" />
        <button type="button" className="btn btn-ghost btn-icon btn-sm" aria-label="Remove rule" onClick={props.onRemove}><Trash2 size={14} /></button>
      </div>
      <FilterBuilder value={props.rule.filter} fields={props.fields} onChange={(filter) => props.onChange({ ...props.rule, filter: filter ?? { and: [] } })} />
    </div>
  );
}

export function ColorMenu({ config, fields, update }: { config: ViewConfig; fields: Field[]; update: (p: Partial<ViewConfig>) => void }) {
  const [rules, setRules] = useState<RowColorRule[]>(config.row_colors ?? []);
  const set = (next: RowColorRule[]) => {
    setRules(next);
    update({ row_colors: next });
  };
  return (
    <ToolbarMenu icon={<Paintbrush size={15} />} label="Colour" count={config.row_colors?.length}>
      {() => (
        <div>
          <p className="small muted" style={{ marginBottom: 8 }}>Rows take the colour of the first rule they match.</p>
          {rules.map((r, i) => (
            <ColorRule key={i} rule={r} fields={fields} onChange={(nr) => set(rules.map((x, j) => (i === j ? nr : x)))} onRemove={() => set(rules.filter((_, j) => j !== i))} />
          ))}
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => set([...rules, { color: "yellow", filter: { and: [] } as FilterGroup }])}>
            <Plus size={14} /> Add colour rule
          </button>
        </div>
      )}
    </ToolbarMenu>
  );
}

/** Show/hide fields and move them up/down (the grid also reorders by dragging headers). */
export function FieldsMenu({ table, config, update }: { table: Table; config: ViewConfig; update: (p: Partial<ViewConfig>) => void }) {
  const hidden = new Set(config.hidden_fields ?? []);
  const fields = orderedFields(table, config);
  const move = (i: number, d: -1 | 1) => {
    const ids = fields.map((f) => f.id);
    const j = i + d;
    if (j < 1 || j >= ids.length) return;
    [ids[i], ids[j]] = [ids[j], ids[i]];
    update({ field_order: ids });
  };
  return (
    <ToolbarMenu icon={<EyeOff size={15} />} label="Fields" count={hidden.size || undefined}>
      {() => (
        <div className="fields-menu">
          <div className="row" style={{ marginBottom: 6 }}>
            <button className="btn btn-ghost btn-sm" onClick={() => update({ hidden_fields: [] })}><Eye size={14} /> Show all</button>
            <button className="btn btn-ghost btn-sm" onClick={() => update({ hidden_fields: fields.filter((f) => f.id !== table.primary_field_id).map((f) => f.id) })}><EyeOff size={14} /> Hide all</button>
          </div>
          {fields.map((f, i) => {
            const Icon = typeInfo(f.type).icon;
            const primary = f.id === table.primary_field_id;
            return (
              <div key={f.id} className="field-toggle">
                <input type="checkbox" className="checkbox" id={`vis-${f.id}`} checked={!hidden.has(f.id)} disabled={primary} onChange={(e) => update({ hidden_fields: e.target.checked ? [...hidden].filter((x) => x !== f.id) : [...hidden, f.id] })} />
                <Icon size={14} className="faint" />
                <label htmlFor={`vis-${f.id}`} className="truncate" style={{ flex: 1 }}>{f.name}</label>
                {!primary && (
                  <>
                    <button className="btn btn-ghost btn-icon btn-sm" aria-label={`Move ${f.name} up`} disabled={i <= 1} onClick={() => move(i, -1)}><ArrowUp size={13} /></button>
                    <button className="btn btn-ghost btn-icon btn-sm" aria-label={`Move ${f.name} down`} disabled={i === fields.length - 1} onClick={() => move(i, 1)}><ArrowDown size={13} /></button>
                  </>
                )}
              </div>
            );
          })}
        </div>
      )}
    </ToolbarMenu>
  );
}
