import { Plus, X } from "lucide-react";
import type { Color, Field, FieldOptions, FieldType, Table } from "../api/types";
import { COLORS, CURRENCIES } from "./fieldTypes";
import { aggregateLabel, aggregatesFor, withLinkField, withTargetField } from "./rollup";

interface Props {
  type: FieldType;
  options: FieldOptions;
  set: (patch: FieldOptions) => void;
  table: Table;
  tables: Table[];
}

function Select(props: { id: string; label: string; value: string | number | undefined; onChange: (v: string) => void; children: React.ReactNode }) {
  return (
    <div className="form-row">
      <label className="label" htmlFor={props.id}>{props.label}</label>
      <select id={props.id} className="select" value={props.value ?? ""} onChange={(e) => props.onChange(e.target.value)}>
        {props.children}
      </select>
    </div>
  );
}

const precisionOptions = [0, 1, 2, 3, 4].map((p) => <option key={p} value={p}>{p === 0 ? "1" : `1.${"0".repeat(p)}`}</option>);

function ChoicesEditor({ options, set }: Pick<Props, "options" | "set">) {
  const choices = options.choices ?? [];
  const update = (i: number, patch: { name?: string; color?: Color }) =>
    set({ choices: choices.map((c, j) => (i === j ? { ...c, ...patch } : c)) });
  return (
    <div className="form-row">
      <div className="label">Options</div>
      <div className="col" style={{ gap: 6 }}>
        {choices.map((c, i) => (
          <div key={i} className="row">
            <select className="select select-sm" style={{ width: 96 }} aria-label="Colour" value={c.color ?? "gray"} onChange={(e) => update(i, { color: e.target.value as Color })}>
              {COLORS.map((col) => <option key={col} value={col}>{col}</option>)}
            </select>
            <span className={`chip chip-${c.color ?? "gray"}`} aria-hidden style={{ width: 14, height: 14, padding: 0 }} />
            <input className="input input-sm" aria-label={`Option ${i + 1}`} value={c.name} onChange={(e) => update(i, { name: e.target.value })} />
            <button type="button" className="btn btn-ghost btn-icon btn-sm" aria-label={`Remove option ${c.name}`} onClick={() => set({ choices: choices.filter((_, j) => j !== i) })}>
              <X size={14} />
            </button>
          </div>
        ))}
        <button type="button" className="btn btn-sm" style={{ alignSelf: "flex-start" }} onClick={() => set({ choices: [...choices, { name: "", color: COLORS[(choices.length + 5) % COLORS.length] }] })}>
          <Plus size={14} /> Add option
        </button>
      </div>
    </div>
  );
}

/** The per-type settings of the field dialog. */
export function FieldOptionsEditor({ type, options, set, table, tables }: Props) {
  const links = table.fields.filter((f) => f.type === "link");
  const linkField = links.find((f) => String(f.id) === String(options.link_field) || f.name === options.link_field);
  const linked = tables.find((t) => t.id === linkField?.options?.table_id);
  const targetFields: Field[] = linked?.fields ?? [];
  const target = targetFields.find((f) => String(f.id) === String(options.target_field) || f.name === options.target_field);
  const linkSelect = (
    <Select id="opt-link" label="Link field" value={linkField?.id} onChange={(v) => set(withLinkField(options, v ? Number(v) : undefined))}>
      <option value="">Choose a link field…</option>
      {links.map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
    </Select>
  );
  const targetSelect = (
    <Select
      id="opt-target"
      label={`Field of ${linked?.name ?? "the linked table"}`}
      value={target?.id}
      onChange={(v) => set(withTargetField(options, targetFields.find((f) => String(f.id) === v), type === "rollup"))}
    >
      <option value="">Choose a field…</option>
      {targetFields.map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
    </Select>
  );
  switch (type) {
    case "number":
    case "percent":
      return <Select id="opt-precision" label="Decimals" value={options.precision ?? 0} onChange={(v) => set({ precision: Number(v) })}>{precisionOptions}</Select>;
    case "currency":
      return (
        <div className="row" style={{ alignItems: "flex-start" }}>
          <div style={{ flex: 1 }}>
            <Select id="opt-currency" label="Currency" value={options.currency ?? "EUR"} onChange={(v) => set({ currency: v })}>
              {CURRENCIES.map((c) => <option key={c} value={c}>{c}</option>)}
            </Select>
          </div>
          <div style={{ flex: 1 }}>
            <Select id="opt-precision" label="Decimals" value={options.precision ?? 2} onChange={(v) => set({ precision: Number(v) })}>{precisionOptions}</Select>
          </div>
        </div>
      );
    case "rating":
      return <Select id="opt-max" label="Maximum" value={options.max ?? 5} onChange={(v) => set({ max: Number(v) })}>{[3, 4, 5, 6, 7, 8, 9, 10].map((n) => <option key={n} value={n}>{n}</option>)}</Select>;
    case "single_select":
    case "multiple_select":
      return <ChoicesEditor options={options} set={set} />;
    case "datetime":
      return (
        <div className="form-row">
          <label className="label" htmlFor="opt-tz">Time zone (optional)</label>
          <input id="opt-tz" className="input" placeholder="Europe/Berlin" value={options.time_zone ?? ""} onChange={(e) => set({ time_zone: e.target.value || undefined })} />
          <p className="hint">Leave empty to show times in each person's own time zone.</p>
        </div>
      );
    case "auto_number":
      return (
        <div className="form-row">
          <label className="label" htmlFor="opt-format">Format</label>
          <input id="opt-format" className="input mono" value={options.format ?? ""} onChange={(e) => set({ format: e.target.value })} />
          <p className="hint">{"{YYYY} is the year, {0000} the counter with leading zeros, e.g. ORD-{YYYY}-{0000}."}</p>
        </div>
      );
    case "link":
      return (
        <>
          <Select id="opt-table" label="Link to table" value={options.table_id} onChange={(v) => set({ table_id: Number(v) })}>
            <option value="">Choose a table…</option>
            {tables.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
          </Select>
          <label className="row form-row">
            <input type="checkbox" className="checkbox" checked={options.multiple !== false} onChange={(e) => set({ multiple: e.target.checked })} />
            Allow linking to several rows
          </label>
        </>
      );
    case "lookup":
      return <>{linkSelect}{targetSelect}</>;
    case "rollup":
      return (
        <>
          {linkSelect}
          {targetSelect}
          <Select id="opt-agg" label="Summary" value={options.aggregate ?? "sum"} onChange={(v) => set({ aggregate: v })}>
            {aggregatesFor(target).map((a) => <option key={a} value={a}>{aggregateLabel(a, target)}</option>)}
          </Select>
        </>
      );
    case "count":
      return linkSelect;
    case "button":
      return (
        <div className="form-row">
          <label className="label" htmlFor="opt-label">Button label</label>
          <input id="opt-label" className="input" value={options.label ?? ""} onChange={(e) => set({ label: e.target.value })} />
          <p className="hint">Clicking the button runs the automation rule that uses it as its trigger.</p>
        </div>
      );
    default:
      return null;
  }
}
