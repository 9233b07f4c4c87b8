import { Fragment, useEffect, useId, useRef, useState } from "react";
import { Plus, Trash2 } from "lucide-react";
import type { Id } from "../api/types";
import { FieldInput } from "../fields/FieldInput";
import { LinkPicker } from "./LinkPicker";
import { fieldKind, linePath, maxLines, minLines, newLine, subFields, type FormErrors, type Line } from "./publicForm";
import type { PickedRow, PublicFormField } from "./publicFormApi";

/** What changed, so the page can clear or move the errors that belong to it. */
export type LineEdit = { kind: "cell"; index: number; sub: string } | { kind: "add" } | { kind: "remove"; index: number };

export interface LineItemsProps {
  token: string;
  /** A link field with `subform`. */
  field: PublicFormField;
  lines: Line[];
  errors: FormErrors;
  onChange: (lines: Line[], edit: LineEdit) => void;
  /** Id of the element naming the whole editor (the field's label). */
  labelledBy: string;
}

/** Above this many columns the lines are shown as stacked cards even on wide screens. */
const MAX_TABLE_COLUMNS = 3;

/** One cell's editor: the picker for link sub-fields, a plain input otherwise. */
function CellInput(props: { token: string; sub: PublicFormField; value: unknown; onChange: (v: unknown) => void; id: string; invalid: boolean }) {
  const { sub, value, onChange, id } = props;
  if (fieldKind(sub, true) === "picker") {
    return <LinkPicker token={props.token} field={sub} value={(value as PickedRow[] | undefined) ?? []} onChange={onChange} id={id} invalid={props.invalid} />;
  }
  if (sub.type === "single_select") {
    // The inline option list of FieldInput is too tall for a table cell; a native select fits.
    return (
      <select id={id} className="select" value={typeof value === "string" ? value : ""} aria-invalid={props.invalid || undefined} onChange={(e) => onChange(e.target.value || null)}>
        <option value="">—</option>
        {(sub.options?.choices ?? []).map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
      </select>
    );
  }
  return <FieldInput id={id} field={sub} value={value} onChange={onChange} baseId={0} workspaceId={0} tables={[]} />;
}

/**
 * Line items of a sub-form: one row per line, each line a new row of the linked table.
 * A table on wide screens, stacked cards on narrow ones (CSS container query).
 */
export function LineItems({ token, field, lines, errors, onChange, labelledBy }: LineItemsProps) {
  const uid = useId();
  const subs = subFields(field);
  const min = minLines(field);
  const max = maxLines(field);
  const body = useRef<HTMLTableSectionElement>(null);
  const [focusLine, setFocusLine] = useState<number | null>(null);

  // After "Add line", move the keyboard to the new line's first input.
  useEffect(() => {
    if (focusLine === null) return;
    const row = body.current?.querySelector<HTMLElement>(`[data-line-key="${focusLine}"]`);
    row?.querySelector<HTMLElement>("input, select, textarea")?.focus();
    setFocusLine(null);
  }, [focusLine]);

  const setCell = (index: number, sub: PublicFormField, v: unknown) => {
    const next = lines.map((l, i) => (i === index ? { ...l, values: { ...l.values, [sub.id]: v } } : l));
    onChange(next, { kind: "cell", index, sub: sub.name });
  };
  const add = () => {
    const line = newLine();
    onChange([...lines, line], { kind: "add" });
    setFocusLine(line.key);
  };
  const remove = (index: number) => onChange(lines.filter((_, i) => i !== index), { kind: "remove", index });
  const cellId = (line: Line, sub: Id) => `${uid}-${line.key}-${sub}`;

  return (
    <div className={`line-items${subs.length > MAX_TABLE_COLUMNS ? " stacked" : ""}`} role="group" aria-labelledby={labelledBy}>
      {/* Explicit roles: the stacked layout sets display: block, which drops table semantics in some browsers. */}
      <table className="line-table" role="table">
        <thead role="rowgroup">
          <tr role="row">
            <th scope="col" role="columnheader" className="line-no"><span className="sr-only">Line</span>#</th>
            {subs.map((s) => (
              <th key={s.id} scope="col" role="columnheader">
                {s.name}{s.required && <span className="error-text" aria-hidden> *</span>}
                {(s.help || s.description) && <span className="hint line-help">{s.help || s.description}</span>}
              </th>
            ))}
            <th scope="col" role="columnheader" className="line-actions"><span className="sr-only">Remove</span></th>
          </tr>
        </thead>
        <tbody ref={body} role="rowgroup">
          {lines.length === 0 && (
            <tr role="row"><td role="cell" colSpan={subs.length + 2} className="line-empty small muted">No lines yet.</td></tr>
          )}
          {lines.map((line, i) => {
            const lineError = errors[linePath(field.name, i)];
            return (
              <Fragment key={line.key}>
                <tr role="row" className="line-item" data-line-key={line.key} aria-label={`Line ${i + 1}`}>
                  <td role="cell" className="line-no" aria-hidden>{i + 1}</td>
                  {subs.map((s) => {
                    const error = errors[linePath(field.name, i, s.name)];
                    const id = cellId(line, s.id);
                    return (
                      <td key={s.id} role="cell" className={`line-cell${error ? " has-error" : ""}`}>
                        <label className="line-cell-label" htmlFor={id}>
                          <span className="sr-only">{`${s.name}, line ${i + 1}`}</span>
                          <span aria-hidden>{s.name}{s.required && <span className="error-text"> *</span>}</span>
                        </label>
                        <CellInput token={token} sub={s} value={line.values[s.id]} onChange={(v) => setCell(i, s, v)} id={id} invalid={!!error} />
                        {error && <p className="field-error" role="alert">{error}</p>}
                      </td>
                    );
                  })}
                  <td role="cell" className="line-actions">
                    <button type="button" className="btn btn-ghost btn-icon btn-sm" aria-label={`Remove line ${i + 1}`} title={lines.length <= min ? `At least ${min} ${min === 1 ? "line is" : "lines are"} needed` : "Remove line"} disabled={lines.length <= min} onClick={() => remove(i)}>
                      <Trash2 size={14} />
                    </button>
                  </td>
                </tr>
                {lineError && (
                  <tr role="row" className="line-error-row"><td role="cell" colSpan={subs.length + 2}><p className="field-error" role="alert">Line {i + 1}: {lineError}</p></td></tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      <div className="line-footer">
        <button type="button" className="btn btn-sm" onClick={add} disabled={lines.length >= max}><Plus size={14} /> Add line</button>
        <span className="small faint">
          {lines.length >= max ? `That is the most this form takes (${max}).` : min > 1 ? `At least ${min} lines.` : ""}
        </span>
      </div>
    </div>
  );
}
