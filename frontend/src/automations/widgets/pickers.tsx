// Pickers for the things params name: tables, fields, form views, document templates.
// Native selects: keyboard and screen readers work out of the box.
import { X } from "lucide-react";
import type { Field, Table } from "../../api/types";
import { typeInfo } from "../../fields/fieldTypes";
import { useDocuments } from "../api";
import { useBuilder } from "../context";
import { findField } from "../widgets";

interface Common {
  id: string;
  invalid?: boolean;
}

/** Field refs are stored as `f_<id>`; the server also accepts ids and names. */
export const fieldRef = (f: Field): string => `f_${f.id}`;

export function TableSelect(props: Common & { value: unknown; onChange: (v: number | null) => void; optional?: boolean }) {
  const { base } = useBuilder();
  const current = base.tables.find((t) => t.id === Number(props.value) || t.name === props.value);
  return (
    <select id={props.id} className="select" aria-invalid={props.invalid} value={current?.id ?? ""} onChange={(e) => props.onChange(e.target.value ? Number(e.target.value) : null)}>
      <option value="">{props.optional ? "The row that started the rule" : "Choose a table…"}</option>
      {base.tables.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
    </select>
  );
}

export function FieldSelect(props: Common & { table: Table | undefined; fields: Field[]; value: unknown; onChange: (v: string | null) => void; placeholder?: string }) {
  const current = findField(props.table, props.value);
  if (!props.table) return <p className="hint">Choose a table first.</p>;
  return (
    <select id={props.id} className="select" aria-invalid={props.invalid} value={current ? fieldRef(current) : ""} onChange={(e) => props.onChange(e.target.value || null)}>
      <option value="">{props.placeholder ?? "Choose a field…"}</option>
      {props.fields.map((f) => <option key={f.id} value={fieldRef(f)}>{f.name}</option>)}
      {current && !props.fields.includes(current) && <option value={fieldRef(current)}>{current.name}</option>}
    </select>
  );
}

/** Several fields as removable chips plus a select that adds one. */
export function FieldListPicker(props: Common & { table: Table | undefined; fields: Field[]; value: unknown; onChange: (v: string[]) => void; addLabel?: string }) {
  const refs = Array.isArray(props.value) ? props.value.map(String) : [];
  const picked = refs.map((r) => ({ ref: r, field: findField(props.table, r) }));
  const taken = new Set(picked.map((p) => p.field?.id));
  if (!props.table) return <p className="hint">Choose a table first.</p>;
  return (
    <div className="col" style={{ gap: 6 }}>
      {picked.length > 0 && (
        <div className="chips wrap">
          {picked.map(({ ref, field }) => (
            <span key={ref} className="chip chip-link">
              {field?.name ?? ref}
              <button type="button" className="chip-x" aria-label={`Remove ${field?.name ?? ref}`} onClick={() => props.onChange(refs.filter((r) => r !== ref))}>
                <X size={12} />
              </button>
            </span>
          ))}
        </div>
      )}
      <select id={props.id} className="select" aria-invalid={props.invalid} value="" onChange={(e) => e.target.value && props.onChange([...refs, e.target.value])}>
        <option value="">{props.addLabel ?? "Add a field…"}</option>
        {props.fields.filter((f) => !taken.has(f.id)).map((f) => <option key={f.id} value={fieldRef(f)}>{f.name}</option>)}
      </select>
    </div>
  );
}

export function FormViewSelect(props: Common & { value: unknown; onChange: (v: number | null) => void }) {
  const { base } = useBuilder();
  const tables = base.tables.filter((t) => t.views.some((v) => v.type === "form"));
  if (!tables.length) return <p className="hint">This base has no form view yet. Add one to a table first.</p>;
  return (
    <select id={props.id} className="select" aria-invalid={props.invalid} value={props.value ? String(props.value) : ""} onChange={(e) => props.onChange(e.target.value ? Number(e.target.value) : null)}>
      <option value="">Choose a form…</option>
      {tables.map((t) => (
        <optgroup key={t.id} label={t.name}>
          {t.views.filter((v) => v.type === "form").map((v) => <option key={v.id} value={v.id}>{v.name}</option>)}
        </optgroup>
      ))}
    </select>
  );
}

export function DocumentSelect(props: Common & { value: unknown; onChange: (v: number | null) => void }) {
  const { base, triggerTable } = useBuilder();
  const docs = useDocuments(base.id);
  if (docs.isPending) return <p className="hint">Loading document templates…</p>;
  if (docs.isError) return <p className="error-text">Could not load the document templates.</p>;
  const all = docs.data.items;
  // A document renders rows of one table: only those of the trigger's table fit.
  const fitting = triggerTable ? all.filter((d) => d.table_id === triggerTable.id) : all;
  if (!fitting.length) {
    return <p className="hint">No document template for {triggerTable ? `the table ${triggerTable.name}` : "this base"} yet.</p>;
  }
  return (
    <select id={props.id} className="select" aria-invalid={props.invalid} value={props.value ? String(props.value) : ""} onChange={(e) => props.onChange(e.target.value ? Number(e.target.value) : null)}>
      <option value="">Choose a document…</option>
      {fitting.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
    </select>
  );
}

/** A field's name with its type icon (for read-only labels). */
export function FieldName({ field, fallback }: { field: Field | undefined; fallback: string }) {
  if (!field) return <span className="faint">{fallback} (missing)</span>;
  const Icon = typeInfo(field.type).icon;
  return <span className="row" style={{ gap: 4 }}><Icon size={13} aria-hidden /> {field.name}</span>;
}
