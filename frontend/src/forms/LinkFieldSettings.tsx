import { useId, useState } from "react";
import { Filter } from "lucide-react";
import type { Field, FilterGroup, FormFieldConfig, Id, SubformConfig, Table } from "../api/types";
import { typeInfo } from "../fields/fieldTypes";
import { Popover, usePopover } from "../ui/Popover";
import { FilterBuilder } from "../views/FilterBuilder";
import { countConditions } from "../views/filter";
import { clampLines, defaultSubform, lineLimit, linkedTable, subformCandidates, toggleSubField } from "./formDesign";

export interface LinkFieldSettingsProps {
  link: Field;
  item: FormFieldConfig;
  tables: Table[];
  /** The table the form creates rows in. */
  formTable: Table;
  readOnly: boolean;
  onChange: (patch: Partial<FormFieldConfig>) => void;
}

/** How visitors fill in a link field: pick existing rows, or add new lines (a sub-form). */
export function LinkFieldSettings({ link, item, tables, formTable, readOnly, onChange }: LinkFieldSettingsProps) {
  const name = useId();
  const target = linkedTable(link, tables);
  if (!target) return <p className="hint error-text">The linked table of {link.name} was not found.</p>;
  const sub = item.subform;
  return (
    <div className="link-settings">
      <div className="link-mode" role="radiogroup" aria-label={`How visitors fill in ${link.name}`}>
        <label className="row small">
          <input type="radio" name={name} checked={!sub} disabled={readOnly} onChange={() => onChange({ subform: undefined })} />
          Visitors pick existing rows
        </label>
        <label className="row small">
          <input type="radio" name={name} checked={!!sub} disabled={readOnly || (!sub && subformCandidates(link, tables, formTable.id).length === 0)} onChange={() => onChange({ subform: defaultSubform(link, item, tables, formTable.id), filter: undefined })} />
          Visitors add new lines (sub-form)
        </label>
      </div>
      {sub ? (
        <SubformSettings link={link} sub={sub} target={target} tables={tables} formTable={formTable} readOnly={readOnly} onChange={(s) => onChange({ subform: s })} />
      ) : (
        <PickerSettings link={link} item={item} target={target} readOnly={readOnly} onChange={onChange} />
      )}
    </div>
  );
}

function PickerSettings(props: { link: Field; item: FormFieldConfig; target: Table; readOnly: boolean; onChange: (patch: Partial<FormFieldConfig>) => void }) {
  const { link, item, target } = props;
  const menu = usePopover();
  const primary = target.fields.find((f) => f.id === target.primary_field_id);
  const count = countConditions(item.filter);
  return (
    <div className="col" style={{ gap: 6 }}>
      <p className="hint" style={{ marginTop: 0 }}>
        Visitors search {target.name} and pick {link.options?.multiple === false ? "one row" : "one or more rows"}. Anyone with the link can see the {primary?.name ?? "primary field"} of the rows offered{count ? " (only rows matching the filter)" : ""}.
      </p>
      {!props.readOnly && (
        <div>
          <button type="button" className={`btn btn-sm${count ? " active" : ""}`} onClick={menu.toggle} aria-expanded={menu.open} aria-haspopup="dialog">
            <Filter size={13} /> {count ? `Offered rows: ${count} ${count === 1 ? "condition" : "conditions"}` : "Offer only some rows…"}
          </button>
          {menu.open && (
            <Popover anchor={menu.anchor} onClose={menu.close} className="popover-pad" width={560}>
              <p className="small muted" style={{ marginBottom: 8 }}>Offer only the rows of {target.name} where…</p>
              <FilterBuilder value={item.filter} fields={target.fields} onChange={(filter: FilterGroup | null) => props.onChange({ filter: filter ?? undefined })} />
            </Popover>
          )}
        </div>
      )}
    </div>
  );
}

function SubformSettings(props: { link: Field; sub: SubformConfig; target: Table; tables: Table[]; formTable: Table; readOnly: boolean; onChange: (s: SubformConfig) => void }) {
  const { link, sub, target, readOnly, onChange } = props;
  const candidates = subformCandidates(link, props.tables, props.formTable.id);
  const on = new Map(sub.fields.map((s) => [s.field_id, s]));
  const limit = lineLimit(link);
  const setRequired = (id: Id, required: boolean) => onChange({ ...sub, fields: sub.fields.map((s) => (s.field_id === id ? { ...s, required } : s)) });
  const missingRequired = candidates.filter((f) => f.required && !on.has(f.id));
  return (
    <div className="subform-settings">
      <p className="hint" style={{ marginTop: 0 }}>Each line becomes a new row of {target.name}, linked to the submitted {props.formTable.name} row. Fields on each line:</p>
      {candidates.length === 0 && <p className="hint">{target.name} has no fields a visitor can fill in.</p>}
      <ul className="subform-fields">
        {candidates.map((f) => {
          const Icon = typeInfo(f.type).icon;
          const chosen = on.get(f.id);
          return (
            <li key={f.id} className="row">
              <label className="row small" style={{ flex: 1, minWidth: 0 }}>
                {/* The server needs at least one field per line: the last one stays. */}
                <input type="checkbox" className="checkbox" checked={!!chosen} disabled={readOnly || (!!chosen && sub.fields.length === 1)} onChange={(e) => onChange(toggleSubField(sub, f.id, e.target.checked, candidates))} />
                <Icon size={13} className="faint" /> <span className="truncate">{f.name}</span>
              </label>
              <label className="row small muted">
                {/* A field required in its table is required on every line anyway. */}
                <input type="checkbox" className="checkbox" checked={!!chosen?.required || (!!chosen && !!f.required)} disabled={readOnly || !chosen || !!f.required} onChange={(e) => setRequired(f.id, e.target.checked)} aria-label={`${f.name} is required on each line`} /> Required
              </label>
            </li>
          );
        })}
      </ul>
      {missingRequired.length > 0 && <p className="hint">{missingRequired.map((f) => f.name).join(", ")} {missingRequired.length === 1 ? "is" : "are"} required in {target.name}; submissions fail without {missingRequired.length === 1 ? "it" : "them"}.</p>}
      <div className="row small" style={{ flexWrap: "wrap" }}>
        <label className="row">At least <LinesInput label="Fewest lines" min={0} max={sub.max_rows ?? limit} value={sub.min_rows ?? 0} readOnly={readOnly} onCommit={(n) => onChange(clampLines(sub, { min_rows: n }, limit))} /></label>
        <label className="row">and at most <LinesInput label="Most lines" min={1} max={limit} value={sub.max_rows ?? limit} readOnly={readOnly} onCommit={(n) => onChange(clampLines(sub, { max_rows: n }, limit))} /> lines</label>
      </div>
    </div>
  );
}

/** A number box that applies (clamped) on blur or Enter, so typing "12" never passes through "1". */
function LinesInput(props: { label: string; min: number; max: number; value: number; readOnly: boolean; onCommit: (n: number) => void }) {
  const [draft, setDraft] = useState<string | null>(null);
  const commit = () => {
    if (draft !== null && draft.trim() !== "") props.onCommit(Number(draft));
    setDraft(null);
  };
  return (
    <input
      type="number"
      className="input input-sm lines-input"
      aria-label={props.label}
      min={props.min}
      max={props.max}
      value={draft ?? String(props.value)}
      readOnly={props.readOnly}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => { if (e.key === "Enter") { e.preventDefault(); commit(); } }}
    />
  );
}
