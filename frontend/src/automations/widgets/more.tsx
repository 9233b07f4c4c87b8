// Controls for the remaining param shapes: earlier steps to attach, linked rows to copy,
// number-or-formula, and generic ones for params the builder has no special control for.
import { useState } from "react";
import { Plus, Trash2 } from "lucide-react";
import type { Table } from "../../api/types";
import { useBuilder } from "../context";
import type { Params } from "../types";
import { fieldsOfKind, findField } from "../widgets";
import { FieldValuesEditor } from "./FieldValues";
import { FieldSelect } from "./pickers";

/** Steps that produce files (their output has a file_id) come before this one. */
const FILE_ACTIONS = new Set(["generate_document"]);

export function StepsPicker(props: { id: string; index: number; value: unknown; onChange: (v: number[]) => void; invalid?: boolean }) {
  const { actions, types } = useBuilder();
  const picked = Array.isArray(props.value) ? props.value.map(Number) : [];
  const earlier = actions.slice(0, props.index).map((a, i) => ({ i, a })).filter(({ a, i }) => FILE_ACTIONS.has(a.type) || picked.includes(i));
  if (!earlier.length) return <p className="hint" id={props.id}>No earlier step makes a file. Add a “Generate a document” step before this one.</p>;
  return (
    <div className="col" style={{ gap: 4 }} role="group" aria-labelledby={`${props.id}-label`}>
      {earlier.map(({ i, a }) => {
        const label = types.actions.find((t) => t.type === a.type)?.label ?? a.type;
        const on = picked.includes(i);
        return (
          <label key={a.key} className="row check-line">
            <input id={i === earlier[0].i ? props.id : undefined} type="checkbox" className="checkbox" checked={on} onChange={() => props.onChange(on ? picked.filter((p) => p !== i) : [...picked, i].sort((x, y) => x - y))} />
            Step {i + 1}: {label}
          </label>
        );
      })}
    </div>
  );
}

/** `by` of adjust_number: a number, or a formula such as -{Quantity}. */
export function NumberOrFormula(props: { id: string; value: unknown; onChange: (v: number | string) => void; invalid?: boolean }) {
  return (
    <input id={props.id} className="input mono" aria-invalid={props.invalid} placeholder="1 or -{Quantity}" value={props.value === null || props.value === undefined ? "" : String(props.value)}
      onChange={(e) => {
        const t = e.target.value;
        props.onChange(/^-?\d+(\.\d+)?$/.test(t.trim()) ? Number(t) : t);
      }} />
  );
}

interface CopyLink {
  from?: string;
  to?: string;
  fields?: Record<string, unknown>;
}

/** copy_row's copy_links: for each link of the row, which link of the copy gets copies of the linked rows. */
export function CopyLinksEditor(props: { id: string; params: Params; value: unknown; onChange: (v: CopyLink[]) => void }) {
  const { base, triggerTable } = useBuilder();
  const items = (Array.isArray(props.value) ? props.value : []) as CopyLink[];
  const target = base.tables.find((t) => t.id === Number(props.params.table_id) || t.name === props.params.table_id);
  const linkedTable = (table: Table | undefined, ref: unknown) => {
    const f = findField(table, ref);
    return f?.type === "link" ? base.tables.find((t) => t.id === Number(f.options?.table_id)) : undefined;
  };
  const set = (i: number, patch: CopyLink) => props.onChange(items.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  if (!target || !triggerTable) return <p className="hint">Choose the table to copy into first.</p>;
  return (
    <div className="col">
      {items.map((c, i) => (
        <div key={i} className="subcard">
          <div className="param-grid">
            <div>
              <label className="label" htmlFor={`${props.id}-${i}-from`}>Linked rows of this row in</label>
              <FieldSelect id={`${props.id}-${i}-from`} table={triggerTable} fields={fieldsOfKind(triggerTable.fields, "link")} value={c.from} onChange={(v) => set(i, { from: v ?? undefined })} />
            </div>
            <div>
              <label className="label" htmlFor={`${props.id}-${i}-to`}>Copy them into the copy's</label>
              <FieldSelect id={`${props.id}-${i}-to`} table={target} fields={fieldsOfKind(target.fields, "link")} value={c.to} onChange={(v) => set(i, { to: v ?? undefined, fields: {} })} />
            </div>
          </div>
          <div className="label" style={{ marginTop: 8 }}>Field values of each copied row</div>
          <FieldValuesEditor id={`${props.id}-${i}-fields`} table={linkedTable(target, c.to)} value={c.fields ?? {}} onChange={(fields) => set(i, { fields })} />
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => props.onChange(items.filter((_, j) => j !== i))}>
            <Trash2 size={14} /> Remove
          </button>
        </div>
      ))}
      <button type="button" id={props.id} className="btn btn-sm" style={{ alignSelf: "flex-start" }} onClick={() => props.onChange([...items, { fields: {} }])}>
        <Plus size={14} /> Copy linked rows
      </button>
    </div>
  );
}

/** Any JSON value, for params without a better control. */
export function JsonInput(props: { id: string; value: unknown; onChange: (v: unknown) => void; invalid?: boolean }) {
  const [text, setText] = useState(() => (props.value === undefined ? "" : JSON.stringify(props.value, null, 2)));
  const [bad, setBad] = useState(false);
  return (
    <>
      <textarea id={props.id} className="textarea mono" rows={3} aria-invalid={props.invalid || bad} value={text} onChange={(e) => {
        setText(e.target.value);
        if (!e.target.value.trim()) { setBad(false); props.onChange(undefined); return; }
        try {
          props.onChange(JSON.parse(e.target.value));
          setBad(false);
        } catch {
          setBad(true);
        }
      }} />
      {bad && <p className="error-text">This is not valid JSON yet.</p>}
    </>
  );
}
