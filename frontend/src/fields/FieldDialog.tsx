import { useMemo, useState } from "react";
import { AlertTriangle } from "lucide-react";
import { ApiError, errorMessage } from "../api/client";
import { endpoints, type NewField } from "../api/endpoints";
import type { DryRunResult, Field, FieldOptions, FieldType, Table } from "../api/types";
import { Modal } from "../ui/Modal";
import { FIELD_TYPES, typeInfo } from "./fieldTypes";
import { FieldOptionsEditor } from "./FieldOptionsEditor";
import { FormulaEditor } from "./FormulaEditor";

const UNIQUE_OK = new Set<FieldType>(["text", "email", "phone", "url", "number"]);

/** Create a field, or change one (a type change first lists values that will not convert). */
export function FieldDialog(props: { table: Table; tables: Table[]; field?: Field; onClose: () => void; onSaved: (f: Field) => void | Promise<void> }) {
  const { field, table } = props;
  const [name, setName] = useState(field?.name ?? "");
  const [type, setType] = useState<FieldType>(field?.type ?? "text");
  const [options, setOptions] = useState<FieldOptions>(field?.options ?? typeInfo("text").defaultOptions ?? {});
  const [description, setDescription] = useState(field?.description ?? "");
  const [required, setRequired] = useState(!!field?.required);
  const [unique, setUnique] = useState(!!field?.unique);
  const [error, setError] = useState<string | null>(null);
  const [dryRun, setDryRun] = useState<DryRunResult | null>(null);
  const [busy, setBusy] = useState(false);
  const isPrimary = field?.id === table.primary_field_id;
  const otherFields = useMemo(() => table.fields.filter((f) => f.id !== field?.id), [table, field]);
  const groups = useMemo(() => [...new Set(FIELD_TYPES.map((t) => t.group))], []);

  const changeType = (t: FieldType) => {
    setType(t);
    setOptions(field && field.type === t ? field.options ?? {} : typeInfo(t).defaultOptions ?? {});
    setDryRun(null);
  };

  const body = (): NewField => ({
    name: name.trim(),
    type,
    options,
    description: description.trim() || undefined,
    required,
    unique: UNIQUE_OK.has(type) ? unique : undefined,
  });

  const save = async (e?: React.FormEvent) => {
    e?.preventDefault();
    if (!name.trim()) return setError("Give the field a name.");
    setBusy(true);
    setError(null);
    try {
      let saved: Field;
      if (!field) {
        saved = await endpoints.createField(table.id, body());
      } else {
        if (type !== field.type && !dryRun) {
          const check = await endpoints.dryRunField(field.id, body());
          if (check.count > 0) {
            setDryRun(check);
            setBusy(false);
            return;
          }
        }
        saved = await endpoints.updateField(field.id, body());
      }
      await props.onSaved(saved);
      props.onClose();
    } catch (err) {
      setError(err instanceof ApiError && err.details ? `${err.message}` : errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <Modal
      title={field ? `Edit field "${field.name}"` : "Add a field"}
      onClose={props.onClose}
      footer={
        <>
          <button className="btn" onClick={props.onClose}>Cancel</button>
          <button className={`btn ${dryRun ? "btn-danger" : "btn-primary"}`} onClick={() => save()} disabled={busy}>
            {dryRun ? "Convert anyway" : field ? "Save" : "Add field"}
          </button>
        </>
      }
    >
      <form onSubmit={save}>
        <div className="form-row">
          <label className="label" htmlFor="field-name">Name</label>
          <input id="field-name" className="input" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        </div>
        <div className="form-row">
          <label className="label" htmlFor="field-type">Type</label>
          <select id="field-type" className="select" value={type} onChange={(e) => changeType(e.target.value as FieldType)}>
            {groups.map((g) => (
              <optgroup key={g} label={g}>
                {FIELD_TYPES.filter((t) => t.group === g && (!isPrimary || t.editable || t.type === "formula" || t.type === "auto_number")).map((t) => (
                  <option key={t.type} value={t.type}>{t.label}</option>
                ))}
              </optgroup>
            ))}
          </select>
        </div>
        {type === "formula" ? (
          <FormulaEditor value={String(options.formula ?? "")} onChange={(formula) => setOptions({ ...options, formula })} fields={otherFields} error={error} />
        ) : (
          <FieldOptionsEditor type={type} options={options} set={(p) => setOptions({ ...options, ...p })} table={table} tables={props.tables} />
        )}
        <div className="form-row">
          <label className="label" htmlFor="field-desc">Description (optional)</label>
          <input id="field-desc" className="input" value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        {typeInfo(type).editable && (
          <div className="row form-row" style={{ gap: 20 }}>
            <label className="row"><input type="checkbox" className="checkbox" checked={required} onChange={(e) => setRequired(e.target.checked)} /> Required</label>
            {UNIQUE_OK.has(type) && <label className="row"><input type="checkbox" className="checkbox" checked={unique} onChange={(e) => setUnique(e.target.checked)} /> Unique values</label>}
          </div>
        )}
        {dryRun && (
          <div className="banner" role="alert" style={{ alignItems: "flex-start" }}>
            <AlertTriangle size={16} />
            <div>
              <strong>{dryRun.count} value{dryRun.count === 1 ? "" : "s"} cannot be converted to {typeInfo(type).label.toLowerCase()}</strong> and will be emptied:
              <ul style={{ margin: "6px 0 0", paddingLeft: 18 }}>
                {dryRun.unconvertible.slice(0, 8).map((u) => <li key={u.row_id}>Row {u.row_id}: <span className="mono">{JSON.stringify(u.value)}</span></li>)}
              </ul>
              {dryRun.count > 8 && <p className="small">…and {dryRun.count - 8} more.</p>}
            </div>
          </div>
        )}
        {error && type !== "formula" && <p className="error-text" role="alert">{error}</p>}
      </form>
    </Modal>
  );
}
