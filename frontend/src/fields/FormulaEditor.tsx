import { useRef, useState } from "react";
import type { Field } from "../api/types";
import { typeInfo } from "./fieldTypes";

/** The text after an unclosed "{" before the caret, or null. */
export function openBrace(text: string, caret: number): string | null {
  const before = text.slice(0, caret);
  const i = before.lastIndexOf("{");
  if (i < 0 || before.indexOf("}", i) >= 0) return null;
  return before.slice(i + 1);
}

/** A formula box: typing "{" suggests fields; the server checks the formula on save. */
export function FormulaEditor(props: { value: string; onChange: (v: string) => void; fields: Field[]; error?: string | null }) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const partial = openBrace(props.value, caret);
  const suggestions = partial === null ? [] : props.fields.filter((f) => f.name.toLowerCase().includes(partial.toLowerCase())).slice(0, 8);

  const insert = (f: Field) => {
    const el = ref.current;
    const pos = el?.selectionStart ?? props.value.length;
    const start = partial !== null ? pos - partial.length - 1 : pos;
    const next = `${props.value.slice(0, start)}{${f.name}}${props.value.slice(pos)}`;
    props.onChange(next);
    const at = start + f.name.length + 2;
    window.setTimeout(() => {
      el?.focus();
      el?.setSelectionRange(at, at);
      setCaret(at);
    }, 0);
  };
  const onKey = (e: React.KeyboardEvent) => {
    if (!suggestions.length) return;
    if (e.key === "ArrowDown") { e.preventDefault(); setActive((a) => (a + 1) % suggestions.length); }
    else if (e.key === "ArrowUp") { e.preventDefault(); setActive((a) => (a - 1 + suggestions.length) % suggestions.length); }
    else if (e.key === "Enter" || e.key === "Tab") { e.preventDefault(); insert(suggestions[active] ?? suggestions[0]); }
  };
  return (
    <div className="form-row" style={{ position: "relative" }}>
      <label className="label" htmlFor="formula">Formula</label>
      <textarea
        id="formula"
        ref={ref}
        className="textarea mono"
        rows={3}
        value={props.value}
        placeholder="{Quantity} * {Unit price}"
        aria-invalid={!!props.error}
        onChange={(e) => { props.onChange(e.target.value); setCaret(e.target.selectionStart); setActive(0); }}
        onKeyUp={(e) => setCaret(e.currentTarget.selectionStart)}
        onClick={(e) => setCaret(e.currentTarget.selectionStart)}
        onKeyDown={onKey}
      />
      {suggestions.length > 0 && (
        <div className="popover" style={{ position: "absolute", top: "100%", left: 0, zIndex: 5 }} role="listbox" aria-label="Fields">
          {suggestions.map((f, i) => {
            const Icon = typeInfo(f.type).icon;
            return (
              <button type="button" key={f.id} role="option" aria-selected={i === active} className={`option-row${i === active ? " focused" : ""}`} onMouseDown={(e) => { e.preventDefault(); insert(f); }}>
                <Icon size={13} /> {f.name}
              </button>
            );
          })}
        </div>
      )}
      {props.error ? <p className="error-text" role="alert">{props.error}</p> : <p className="hint">Type {"{"} to insert a field. Functions such as IF, SUM, ROUND, TODAY, CONCAT work as in spreadsheets.</p>}
    </div>
  );
}
