import { useEffect, useState } from "react";
import type { Field, Id, Table } from "../api/types";
import { AttachmentInput } from "./AttachmentInput";
import { CellValue, Stars } from "./CellValue";
import { isEditable } from "./fieldTypes";
import { formatDuration, parseInput, toIsoWithOffset } from "./format";
import { ChoicePicker, CollaboratorPicker, LinkPicker } from "./pickers";

export interface FieldInputProps {
  field: Field;
  value: unknown;
  onChange: (value: unknown) => void;
  baseId: Id;
  workspaceId: Id;
  tables: Table[];
  autoFocus?: boolean;
  readOnly?: boolean;
  id?: string;
}

/** Text shown in a text box for a value (the inverse of parseInput). */
export function editText(field: Field, value: unknown): string {
  if (value === null || value === undefined) return "";
  switch (field.type) {
    case "percent": {
      const n = Number(value);
      return Number.isFinite(n) ? String(Number((n * 100).toPrecision(12))) : "";
    }
    case "duration":
      return formatDuration(Number(value));
    case "multiple_select":
      return Array.isArray(value) ? value.join(", ") : "";
    default:
      return typeof value === "object" ? "" : String(value);
  }
}

/** "2026-11-26T09:30:00+01:00" → the value of an <input type="datetime-local">. */
export function toLocalInput(iso: unknown): string {
  if (typeof iso !== "string" || !iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return toIsoWithOffset(d).slice(0, 16);
}

/** A text box that parses on blur or Enter and shows why text was refused. */
function ParsedTextInput({ field, value, onChange, autoFocus, id }: FieldInputProps) {
  const [text, setText] = useState(() => editText(field, value));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setText(editText(field, value)), [field, value]);
  const commit = () => {
    const parsed = parseInput(field, text);
    if (!parsed.ok) return setError(parsed.error);
    setError(null);
    if (parsed.value !== value) onChange(parsed.value);
  };
  const common = {
    id,
    autoFocus,
    value: text,
    "aria-invalid": !!error,
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => setText(e.target.value),
    onBlur: commit,
  };
  const inputMode = ["number", "currency", "percent", "rating"].includes(field.type) ? "decimal" : undefined;
  const type = field.type === "email" ? "email" : field.type === "phone" ? "tel" : field.type === "url" ? "url" : "text";
  return (
    <div>
      {field.type === "long_text" ? (
        <textarea className="textarea" rows={4} {...common} />
      ) : (
        <input
          className="input"
          type={type}
          inputMode={inputMode}
          placeholder={field.type === "duration" ? "h:mm" : undefined}
          {...common}
          onKeyDown={(e) => { if (e.key === "Enter") commit(); }}
        />
      )}
      {error && <p className="error-text small" role="alert">{error}</p>}
    </div>
  );
}

/** The editor for one field value, outside the grid (row panel, forms, filter values). */
export function FieldInput(props: FieldInputProps) {
  const { field, value, onChange, readOnly } = props;
  if (readOnly || !isEditable(field)) {
    return <div className="readonly-value"><CellValue field={field} value={value} wrap /></div>;
  }
  switch (field.type) {
    case "checkbox":
      return <input id={props.id} type="checkbox" className="checkbox" checked={!!value} onChange={(e) => onChange(e.target.checked)} autoFocus={props.autoFocus} />;
    case "rating":
      return <Stars value={Number(value) || 0} max={field.options?.max || 5} onChange={onChange} />;
    case "date":
      return <input id={props.id} className="input" type="date" value={typeof value === "string" ? value.slice(0, 10) : ""} onChange={(e) => onChange(e.target.value || null)} autoFocus={props.autoFocus} />;
    case "datetime":
      return (
        <input
          id={props.id}
          className="input"
          type="datetime-local"
          value={toLocalInput(value)}
          onChange={(e) => onChange(e.target.value ? toIsoWithOffset(new Date(e.target.value)) : null)}
          autoFocus={props.autoFocus}
        />
      );
    case "single_select":
    case "multiple_select":
      return <ChoicePicker field={field} value={value} onChange={onChange} autoFocus={props.autoFocus} />;
    case "link":
      return <LinkPicker field={field} target={props.tables.find((t) => t.id === field.options?.table_id)} value={value} onChange={onChange} autoFocus={props.autoFocus} />;
    case "collaborator":
      return <CollaboratorPicker workspaceId={props.workspaceId} value={value} onChange={onChange} autoFocus={props.autoFocus} />;
    case "attachment":
      return <AttachmentInput baseId={props.baseId} value={value} onChange={onChange} />;
    default:
      return <ParsedTextInput {...props} />;
  }
}
