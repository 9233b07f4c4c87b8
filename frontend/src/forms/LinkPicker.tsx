import { useId, useRef, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { ChevronDown, X } from "lucide-react";
import { errorMessage } from "../api/client";
import { publicFormApi, type PickedRow, type PublicFormField } from "./publicFormApi";
import { useDebounced } from "../ui/useDebounced";

export interface LinkPickerProps {
  token: string;
  /** A link field with `picker` (top-level, or a cell of a sub-form line). */
  field: PublicFormField;
  value: PickedRow[];
  onChange: (rows: PickedRow[]) => void;
  /** The input's id, for the <label htmlFor> that names it. */
  id: string;
  invalid?: boolean;
}


/**
 * A searchable combobox (WAI-ARIA 1.2 pattern) over the rows the form offers for a link
 * field. The server searches; visitors only ever see ids and labels of offered rows.
 */
export function LinkPicker({ token, field, value, onChange, id, invalid }: LinkPickerProps) {
  const multiple = !!field.picker?.multiple;
  const listId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [open, setOpen] = useState(false);
  // null while the visitor is not typing: the input then shows the chosen row (single picker).
  const [query, setQuery] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const search = useDebounced((query ?? "").trim());
  const choices = useQuery({
    queryKey: ["public-choices", token, field.id, search],
    queryFn: ({ signal }) => publicFormApi.choices(token, field.id, search, signal),
    enabled: open,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
    retry: false,
  });
  const items = choices.data?.items ?? [];
  const current = Math.min(active, items.length - 1);
  const chosen = new Set(value.map((r) => r.id));

  const close = () => {
    setOpen(false);
    setQuery(null);
  };
  const pick = (row: PickedRow) => {
    if (!multiple) {
      onChange([row]);
      close();
      return;
    }
    onChange(chosen.has(row.id) ? value.filter((r) => r.id !== row.id) : [...value, row]);
    setQuery("");
  };
  const onKeyDown = (e: React.KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!open) return setOpen(true);
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive(Math.max(0, Math.min(current + step, items.length - 1)));
    } else if (e.key === "Enter" && open) {
      // An open list takes Enter; a closed one lets it submit the form as usual.
      e.preventDefault();
      if (items[current]) pick(items[current]);
    } else if (e.key === "Escape" && (open || query)) {
      e.preventDefault();
      e.stopPropagation();
      close();
    } else if (e.key === "Backspace" && multiple && !query && value.length > 0) {
      onChange(value.slice(0, -1));
    }
  };

  const optionId = (row: PickedRow) => `${listId}-o${row.id}`;
  const shown = query ?? (multiple ? "" : (value[0]?.label ?? ""));
  const placeholder = multiple && value.length > 0 ? "Add another…" : `Search ${field.picker?.table ?? field.name}…`;

  return (
    <div className={`link-picker${invalid ? " invalid" : ""}`}>
      <div className="link-picker-box" onMouseDown={(e) => { if (e.target === e.currentTarget) { e.preventDefault(); inputRef.current?.focus(); setOpen(true); } }}>
        {multiple && value.map((r) => (
          <span key={r.id} className="chip chip-link">
            <span className="truncate">{r.label}</span>
            <button type="button" aria-label={`Remove ${r.label}`} onClick={() => onChange(value.filter((x) => x.id !== r.id))}><X size={12} /></button>
          </span>
        ))}
        <input
          ref={inputRef}
          id={id}
          className="link-picker-input"
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={open && items[current] ? optionId(items[current]) : undefined}
          aria-invalid={invalid || undefined}
          autoComplete="off"
          placeholder={placeholder}
          value={shown}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
            setOpen(true);
          }}
          onClick={() => setOpen(true)}
          onKeyDown={onKeyDown}
          onBlur={close}
        />
        {!multiple && value.length > 0 && (
          <button type="button" className="btn btn-ghost btn-icon btn-sm" aria-label={`Clear ${field.name}`} onClick={() => { onChange([]); inputRef.current?.focus(); }}><X size={13} /></button>
        )}
        <button type="button" className="btn btn-ghost btn-icon btn-sm" tabIndex={-1} aria-label={open ? "Hide choices" : "Show choices"} onMouseDown={(e) => e.preventDefault()} onClick={() => { inputRef.current?.focus(); if (open) close(); else setOpen(true); }}><ChevronDown size={14} /></button>
      </div>
      <div className="link-picker-popup" hidden={!open}>
        {!open ? null : choices.isError ? (
          <p className="error-text small link-picker-note">Could not load the choices: {errorMessage(choices.error)}</p>
        ) : choices.isPending ? (
          <p className="small muted link-picker-note">Searching…</p>
        ) : items.length === 0 ? (
          <p className="small muted link-picker-note">{search ? `No match for “${search}”` : "Nothing to choose from"}</p>
        ) : null}
        <ul id={listId} role="listbox" aria-label={field.name} aria-multiselectable={multiple || undefined} aria-busy={choices.isFetching || undefined}>
          {!choices.isError && items.map((row, i) => (
            <li
              key={row.id}
              id={optionId(row)}
              role="option"
              aria-selected={chosen.has(row.id)}
              className={`option-row${i === current ? " focused" : ""}`}
              onMouseDown={(e) => e.preventDefault()}
              onMouseEnter={() => setActive(i)}
              onClick={() => pick(row)}
            >
              <span className="truncate">{row.label}</span>
            </li>
          ))}
        </ul>
      </div>
      <span className="sr-only" role="status" aria-live="polite">{open && !choices.isPending ? `${items.length} ${items.length === 1 ? "choice" : "choices"}` : ""}</span>
    </div>
  );
}
