import { useImperativeHandle, useLayoutEffect, useRef, type Ref } from "react";
import { indent, insertAt, type Edit } from "./insert";

export interface CodeEditorHandle {
  /** Put `snippet` where the caret is (replacing the selection) and focus the editor. */
  insert: (snippet: string) => void;
}

/**
 * A monospace textarea for HTML and CSS with line numbers: Tab indents instead of leaving
 * the field (Escape, then Tab, moves focus on, as in other code editors), and the line of
 * a template error is marked in the gutter.
 */
export function CodeEditor(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  readOnly?: boolean;
  errorLine?: number | null;
  ref?: Ref<CodeEditorHandle>;
}) {
  const { value, onChange, errorLine } = props;
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const pending = useRef<Edit | null>(null);
  const tabTraps = useRef(true);

  const apply = (edit: Edit) => {
    pending.current = edit;
    onChange(edit.value);
  };
  // The caret is placed after React has written the new value into the textarea.
  useLayoutEffect(() => {
    const edit = pending.current;
    const el = area.current;
    if (edit && el && el.value === edit.value) {
      el.setSelectionRange(edit.start, edit.end);
      pending.current = null;
    }
  }, [value]);

  useImperativeHandle(props.ref, () => ({
    insert: (snippet: string) => {
      const el = area.current;
      if (!el || props.readOnly) return;
      el.focus();
      apply(insertAt(el.value, el.selectionStart, el.selectionEnd, snippet));
    },
  }));

  const lines = value.split("\n").length;
  return (
    <div className={`code-editor${props.readOnly ? " readonly" : ""}`}>
      <div className="code-gutter" ref={gutter} aria-hidden>
        {Array.from({ length: lines }, (_, i) => (
          <div key={i} className={i + 1 === errorLine ? "code-line-error" : undefined}>{i + 1}</div>
        ))}
      </div>
      <textarea
        ref={area}
        id={props.id}
        aria-label={props.label}
        aria-invalid={errorLine ? true : undefined}
        className="code-area"
        value={value}
        readOnly={props.readOnly}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        wrap="off"
        onChange={(e) => onChange(e.target.value)}
        onScroll={(e) => {
          if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
        }}
        onFocus={() => { tabTraps.current = true; }}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            tabTraps.current = false;
            return;
          }
          if (e.key !== "Tab" || !tabTraps.current || props.readOnly || e.ctrlKey || e.metaKey || e.altKey) return;
          e.preventDefault();
          const el = e.currentTarget;
          apply(indent(el.value, el.selectionStart, el.selectionEnd, e.shiftKey));
        }}
      />
    </div>
  );
}
