// A `fields` map (field → value) as a list of "field = value" lines. A value is a literal
// or, starting with "=", a formula over the row that started the rule.
import { Trash2 } from "lucide-react";
import type { Field, Table } from "../../api/types";
import { fieldsOfKind, findField } from "../widgets";
import { FieldName, fieldRef } from "./pickers";

const NUMERIC = new Set(["number", "currency", "percent", "rating", "duration"]);

/** What a typed value is sent as: numbers for number fields, formulas and text as typed. */
export function coerceValue(field: Field | undefined, text: string): unknown {
  if (text.startsWith("=")) return text;
  if (field && NUMERIC.has(field.type) && /^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text);
  return text;
}

/** A stored value as text in the box (lists and objects as JSON). */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function parseTyped(field: Field | undefined, text: string, previous: unknown): unknown {
  // A value that was a list or object (links given as ids) stays one while it parses.
  if (previous !== null && typeof previous === "object" && /^[[{]/.test(text.trim())) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return coerceValue(field, text);
}

function ValueInput(props: { id: string; field: Field | undefined; value: unknown; onChange: (v: unknown) => void }) {
  const { field, id } = props;
  const label = `Value for ${field?.name ?? "field"}`;
  if (field?.type === "checkbox" && (typeof props.value === "boolean" || props.value === "" || props.value === null)) {
    return (
      <select id={id} className="select" aria-label={label} value={String(props.value === true)} onChange={(e) => props.onChange(e.target.value === "true")}>
        <option value="true">checked</option>
        <option value="false">not checked</option>
      </select>
    );
  }
  const choices = field?.options?.choices ?? [];
  const listId = choices.length ? `${id}-choices` : undefined;
  return (
    <>
      <input
        id={id}
        className="input"
        aria-label={label}
        list={listId}
        placeholder={choices.length ? "Type or pick an option, or =formula" : "A value, or =formula"}
        value={valueText(props.value)}
        onChange={(e) => props.onChange(parseTyped(field, e.target.value, props.value))}
      />
      {listId && (
        <datalist id={listId}>
          {choices.map((c) => <option key={c.name} value={c.name} />)}
        </datalist>
      )}
    </>
  );
}

export function FieldValuesEditor(props: { id: string; table: Table | undefined; value: unknown; onChange: (v: Record<string, unknown>) => void; invalid?: boolean }) {
  const { table } = props;
  const map = props.value && typeof props.value === "object" && !Array.isArray(props.value) ? (props.value as Record<string, unknown>) : {};
  const entries = Object.entries(map);
  if (!table) return <p className="hint">Choose a table first.</p>;
  const used = new Set(entries.map(([k]) => findField(table, k)?.id));
  const writable = fieldsOfKind(table.fields, "writable").filter((f) => !used.has(f.id));
  const set = (key: string, v: unknown) => props.onChange({ ...map, [key]: v });
  return (
    <div className="field-values" aria-invalid={props.invalid}>
      {entries.length === 0 && <p className="hint">No fields set yet.</p>}
      {entries.map(([key, v], i) => {
        const field = findField(table, key);
        return (
          <div key={key} className="field-value-line">
            <span className="field-value-name"><FieldName field={field} fallback={key} /></span>
            <ValueInput id={`${props.id}-${i}`} field={field} value={v} onChange={(nv) => set(key, nv)} />
            <button type="button" className="btn btn-ghost btn-icon btn-sm" aria-label={`Do not set ${field?.name ?? key}`} onClick={() => props.onChange(Object.fromEntries(entries.filter(([k]) => k !== key)))}>
              <Trash2 size={14} />
            </button>
          </div>
        );
      })}
      <select id={props.id} className="select select-sm" style={{ width: "auto" }} value="" onChange={(e) => {
        const f = writable.find((x) => fieldRef(x) === e.target.value);
        if (f) set(fieldRef(f), f.type === "checkbox" ? true : "");
      }}>
        <option value="">Set a field…</option>
        {writable.map((f) => <option key={f.id} value={fieldRef(f)}>{f.name}</option>)}
      </select>
    </div>
  );
}
