import { useState } from "react";
import { Plus, Trash2, FolderPlus } from "lucide-react";
import type { Field, FilterCondition, FilterGroup, FilterNode, FilterOp } from "../api/types";
import { LIST_VALUE_OPS, NO_VALUE_OPS, OP_LABELS, WITHIN_PRESETS, operatorsFor } from "../fields/fieldTypes";
import { fieldKey } from "../fields/format";
import { cleanFilter, groupItems, groupKind, isGroup, makeGroup } from "./filter";
import "./views.css";

const NUMERIC = new Set(["number", "currency", "percent", "rating", "duration", "count"]);
const MAX_DEPTH = 3;

function ValueInput({ field, cond, onChange }: { field: Field | undefined; cond: FilterCondition; onChange: (v: unknown) => void }) {
  if (!field || NO_VALUE_OPS.has(cond.op)) return null;
  const choices = field.options?.choices ?? [];
  if (cond.op === "within") {
    return (
      <select className="select select-sm" aria-label="Period" value={String(cond.value ?? "")} onChange={(e) => onChange(e.target.value)}>
        <option value="">Choose…</option>
        {[...WITHIN_PRESETS, "past_30_days", "next_30_days"].map((p) => <option key={p} value={p}>{p.replace(/_/g, " ")}</option>)}
      </select>
    );
  }
  if (["on", "before", "after"].includes(cond.op)) {
    return <input type="date" className="input input-sm" aria-label="Date" value={String(cond.value ?? "")} onChange={(e) => onChange(e.target.value)} />;
  }
  if (LIST_VALUE_OPS.has(cond.op)) {
    const picked = Array.isArray(cond.value) ? (cond.value as string[]) : [];
    return (
      <div className="chips wrap filter-choices" role="group" aria-label="Values">
        {choices.map((c) => {
          const on = picked.includes(c.name);
          return (
            <button key={c.name} type="button" aria-pressed={on} className={`chip chip-${c.color ?? "gray"} chip-toggle${on ? " on" : ""}`} onClick={() => onChange(on ? picked.filter((p) => p !== c.name) : [...picked, c.name])}>
              {c.name}
            </button>
          );
        })}
        {!choices.length && <input className="input input-sm" aria-label="Values, comma separated" placeholder="a, b" value={picked.join(", ")} onChange={(e) => onChange(e.target.value.split(",").map((s) => s.trim()).filter(Boolean))} />}
      </div>
    );
  }
  if (field.type === "checkbox") {
    return (
      <select className="select select-sm" aria-label="Value" value={String(cond.value ?? true)} onChange={(e) => onChange(e.target.value === "true")}>
        <option value="true">checked</option>
        <option value="false">not checked</option>
      </select>
    );
  }
  if (field.type === "single_select") {
    return (
      <select className="select select-sm" aria-label="Value" value={String(cond.value ?? "")} onChange={(e) => onChange(e.target.value)}>
        <option value="">Choose…</option>
        {choices.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
      </select>
    );
  }
  if (NUMERIC.has(field.type)) {
    return <input type="number" className="input input-sm" aria-label="Value" value={cond.value === undefined || cond.value === null ? "" : String(cond.value)} onChange={(e) => onChange(e.target.value === "" ? null : Number(e.target.value))} />;
  }
  return <input className="input input-sm" aria-label="Value" value={String(cond.value ?? "")} onChange={(e) => onChange(e.target.value)} />;
}

function newCondition(fields: Field[]): FilterCondition {
  const f = fields[0];
  return { field: f ? fieldKey(f.id) : "", op: f ? operatorsFor(f)[0] : "eq", value: null };
}

function GroupEditor(props: { group: FilterGroup; fields: Field[]; depth: number; onChange: (g: FilterGroup) => void; onRemove?: () => void }) {
  const { group, fields, depth } = props;
  const kind = groupKind(group);
  const items = groupItems(group);
  const set = (next: FilterNode[], k = kind) => props.onChange(makeGroup(k, next));
  const byKey = new Map(fields.map((f) => [fieldKey(f.id), f]));

  return (
    <div className={`filter-group depth-${depth}`}>
      {items.length === 0 && <p className="small muted">No conditions yet.</p>}
      {items.map((item, i) => (
        <div key={i} className="filter-line">
          <div className="filter-conj">
            {i === 0 ? <span className="small muted">Where</span> : i === 1 ? (
              <select className="select select-sm" aria-label="Combine with" value={kind} onChange={(e) => set(items, e.target.value as "and" | "or")}>
                <option value="and">and</option>
                <option value="or">or</option>
              </select>
            ) : <span className="small muted">{kind}</span>}
          </div>
          {isGroup(item) ? (
            <GroupEditor group={item} fields={fields} depth={depth + 1} onChange={(g) => set(items.map((x, j) => (j === i ? g : x)))} onRemove={() => set(items.filter((_, j) => j !== i))} />
          ) : (
            <div className="filter-cond">
              <select className="select select-sm" aria-label="Field" value={item.field} onChange={(e) => {
                const f = byKey.get(e.target.value);
                set(items.map((x, j) => (j === i ? { field: e.target.value, op: f ? operatorsFor(f)[0] : "eq", value: null } : x)));
              }}>
                {fields.map((f) => <option key={f.id} value={fieldKey(f.id)}>{f.name}</option>)}
              </select>
              <select className="select select-sm" aria-label="Operator" value={item.op} onChange={(e) => set(items.map((x, j) => (j === i ? { ...item, op: e.target.value as FilterOp, value: LIST_VALUE_OPS.has(e.target.value as FilterOp) ? [] : item.value } : x)))}>
                {(byKey.get(item.field) ? operatorsFor(byKey.get(item.field)!) : []).map((op) => <option key={op} value={op}>{OP_LABELS[op]}</option>)}
              </select>
              <ValueInput field={byKey.get(item.field)} cond={item} onChange={(v) => set(items.map((x, j) => (j === i ? { ...item, value: v } : x)))} />
              <button type="button" className="btn btn-ghost btn-icon btn-sm" aria-label="Remove condition" onClick={() => set(items.filter((_, j) => j !== i))}>
                <Trash2 size={14} />
              </button>
            </div>
          )}
        </div>
      ))}
      <div className="row" style={{ marginTop: 6 }}>
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => set([...items, newCondition(fields)])}>
          <Plus size={14} /> Add condition
        </button>
        {depth < MAX_DEPTH && (
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => set([...items, makeGroup(kind === "and" ? "or" : "and", [newCondition(fields)])])}>
            <FolderPlus size={14} /> Add group
          </button>
        )}
        {props.onRemove && (
          <button type="button" className="btn btn-ghost btn-sm" onClick={props.onRemove}>
            <Trash2 size={14} /> Remove group
          </button>
        )}
      </div>
    </div>
  );
}

/**
 * Nested and/or filter editor. Keeps incomplete conditions while editing and reports the
 * cleaned tree (what the API accepts) through onChange.
 */
export function FilterBuilder(props: { value: FilterGroup | null | undefined; fields: Field[]; onChange: (g: FilterGroup | null) => void }) {
  const [draft, setDraft] = useState<FilterGroup>(() => props.value ?? { and: [] });
  const filterable = props.fields.filter((f) => operatorsFor(f).length > 0);
  return (
    <div className="filter-builder">
      <GroupEditor
        group={draft}
        fields={filterable}
        depth={0}
        onChange={(g) => {
          setDraft(g);
          props.onChange(cleanFilter(g));
        }}
      />
    </div>
  );
}
