// AG Grid cell editors. Text-like editors hand back `{__text}` and the grid parses it in
// onCellEditRequest (so a refused value can explain itself); pickers hand back values.
import { useEffect, useRef, useState } from "react";
import type { CustomCellEditorProps } from "ag-grid-react";
import type { Field, Row } from "../api/types";
import { editText, FieldInput, toLocalInput } from "../fields/FieldInput";
import { toIsoWithOffset } from "../fields/format";
import type { GridContext } from "./gridContext";

export interface TextEdit {
  __text: string;
}
export const isTextEdit = (v: unknown): v is TextEdit =>
  typeof v === "object" && v !== null && "__text" in v;

type Props = CustomCellEditorProps<Row, unknown, GridContext> & { field: Field };

function startText(props: Props): string {
  // Typing a character starts the edit with that character; Enter/F2/double-click keep the value.
  if (props.eventKey && props.eventKey.length === 1) return props.eventKey;
  return editText(props.field, props.initialValue);
}

export function TextCellEditor(props: Props) {
  const [text, setText] = useState(() => startText(props));
  const ref = useRef<HTMLInputElement>(null);
  const { onValueChange } = props;
  useEffect(() => {
    onValueChange({ __text: text });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    const el = ref.current;
    el?.focus();
    if (el && !(props.eventKey && props.eventKey.length === 1)) el.select();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <input
      ref={ref}
      className="cell-input"
      value={text}
      aria-label={props.field.name}
      onChange={(e) => {
        setText(e.target.value);
        onValueChange({ __text: e.target.value });
      }}
    />
  );
}

export function LongTextCellEditor(props: Props) {
  const [text, setText] = useState(() => startText(props));
  return (
    <textarea
      className="cell-textarea"
      autoFocus
      value={text}
      aria-label={props.field.name}
      onFocus={(e) => e.currentTarget.setSelectionRange(text.length, text.length)}
      onChange={(e) => {
        setText(e.target.value);
        props.onValueChange({ __text: e.target.value });
      }}
    />
  );
}

export function DateCellEditor(props: Props) {
  const isDateTime = props.field.type === "datetime";
  const initial = isDateTime ? toLocalInput(props.initialValue) : String(props.initialValue ?? "").slice(0, 10);
  const [text, setText] = useState(initial);
  return (
    <input
      className="cell-input"
      type={isDateTime ? "datetime-local" : "date"}
      autoFocus
      value={text}
      aria-label={props.field.name}
      onChange={(e) => {
        setText(e.target.value);
        const v = e.target.value;
        props.onValueChange(!v ? null : isDateTime ? toIsoWithOffset(new Date(v)) : v);
      }}
    />
  );
}

/** Popup editor for selects, links, collaborators and attachments. */
export function PickerCellEditor(props: Props) {
  const [value, setValue] = useState<unknown>(props.initialValue);
  const ctx = props.context;
  return (
    <div className="cell-popup" onKeyDown={(e) => { if (e.key === "Escape") props.stopEditing(true); }}>
      <FieldInput
        field={props.field}
        value={value}
        baseId={ctx.baseId}
        workspaceId={ctx.workspaceId}
        tables={ctx.tables}
        autoFocus
        onChange={(v) => {
          setValue(v);
          props.onValueChange(v);
          if (props.field.type === "single_select") window.setTimeout(() => props.stopEditing(), 0);
        }}
      />
      <div className="row" style={{ justifyContent: "flex-end", marginTop: 8 }}>
        <button type="button" className="btn btn-sm btn-primary" onClick={() => props.stopEditing()}>Done</button>
      </div>
    </div>
  );
}
