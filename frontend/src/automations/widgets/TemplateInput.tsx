// Text params are Jinja2 templates. "Insert field" puts `{{ row['Field'] }}` at the caret so
// nobody has to learn the syntax to mention a value of the row.
import { useRef } from "react";
import { Braces } from "lucide-react";
import { typeInfo } from "../../fields/fieldTypes";
import { Popover, usePopover } from "../../ui/Popover";
import { useBuilder } from "../context";
import { menuArrows } from "./menuKeys";

/** The placeholder for a field (names may hold quotes and backslashes). */
export function placeholder(name: string): string {
  return `{{ row['${name.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'] }}`;
}

/** `text` with `insert` put in place of the selection [start, end); the new caret position. */
export function insertAt(text: string, insert: string, start: number, end: number = start): [string, number] {
  const s = Math.max(0, Math.min(start, text.length));
  const e = Math.max(s, Math.min(end, text.length));
  return [text.slice(0, s) + insert + text.slice(e), s + insert.length];
}

export function TemplateInput(props: {
  id: string;
  label: string;
  value: unknown;
  onChange: (v: string) => void;
  multiline: boolean;
  invalid?: boolean;
}) {
  const { triggerTable } = useBuilder();
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const menu = usePopover();
  const text = typeof props.value === "string" ? props.value : props.value == null ? "" : String(props.value);
  const fields = (triggerTable?.fields ?? []).filter((f) => f.type !== "button");

  const insert = (name: string) => {
    const el = ref.current;
    const [next, caret] = insertAt(text, placeholder(name), el?.selectionStart ?? text.length, el?.selectionEnd ?? text.length);
    props.onChange(next);
    menu.close();
    window.setTimeout(() => {
      el?.focus();
      el?.setSelectionRange(caret, caret);
    }, 0);
  };

  const common = {
    id: props.id,
    ref,
    value: text,
    "aria-invalid": props.invalid,
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => props.onChange(e.target.value),
  };
  return (
    <div className="template-input">
      {props.multiline ? <textarea className="textarea" rows={5} {...common} /> : <input className="input" {...common} />}
      {fields.length > 0 && (
        <button type="button" className="btn btn-ghost btn-sm insert-field" onClick={menu.toggle} aria-haspopup="menu" aria-expanded={menu.open} aria-label={`Insert field into ${props.label}`}>
          <Braces size={14} /> Insert field
        </button>
      )}
      {menu.open && (
        <Popover anchor={menu.anchor} onClose={menu.close} align="end" width={240}>
          <div role="menu" aria-label="Fields" onKeyDown={menuArrows}>
            <div className="menu-label">{triggerTable?.name}</div>
            {fields.map((f, i) => {
              const Icon = typeInfo(f.type).icon;
              return (
                <button key={f.id} type="button" role="menuitem" className="menu-item" autoFocus={i === 0} onClick={() => insert(f.name)}>
                  <Icon size={13} aria-hidden /> {f.name}
                </button>
              );
            })}
          </div>
        </Popover>
      )}
    </div>
  );
}
