import { useEffect, useMemo, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Check, Search, X } from "lucide-react";
import { endpoints } from "../api/endpoints";
import { useMembers } from "../api/queries";
import type { Field, Id, LinkRef, Table, UserRef } from "../api/types";
import { SelectChip } from "./CellValue";
import { formatCell, fieldKey } from "./format";
import { useDebounced } from "../ui/useDebounced";

interface Option {
  key: string | number;
  label: string;
  render?: React.ReactNode;
}

/** A searchable, keyboard-driven list: arrows move, Enter toggles, Escape leaves. */
function OptionList(props: {
  options: Option[];
  selected: (string | number)[];
  onToggle: (key: string | number) => void;
  query: string;
  setQuery: (q: string) => void;
  placeholder: string;
  loading?: boolean;
  autoFocus?: boolean;
}) {
  const [focus, setFocus] = useState(0);
  const listRef = useRef<HTMLDivElement>(null);
  useEffect(() => setFocus(0), [props.query]);
  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === "ArrowDown") { e.preventDefault(); setFocus((f) => Math.min(f + 1, props.options.length - 1)); }
    else if (e.key === "ArrowUp") { e.preventDefault(); setFocus((f) => Math.max(f - 1, 0)); }
    else if (e.key === "Enter") {
      e.preventDefault();
      e.stopPropagation();
      const o = props.options[focus];
      if (o) props.onToggle(o.key);
    }
  };
  return (
    <>
      <div className="search-box">
        <Search size={14} />
        <input className="input input-sm" placeholder={props.placeholder} value={props.query} onChange={(e) => props.setQuery(e.target.value)} onKeyDown={onKey} autoFocus={props.autoFocus} aria-label={props.placeholder} />
      </div>
      <div className="field-input-list" role="listbox" aria-multiselectable ref={listRef}>
        {props.loading && <div className="small muted" style={{ padding: 8 }}>Searching…</div>}
        {!props.loading && props.options.length === 0 && <div className="small muted" style={{ padding: 8 }}>No matches</div>}
        {props.options.map((o, i) => {
          const sel = props.selected.includes(o.key);
          return (
            <button type="button" key={o.key} role="option" aria-selected={sel} className={`option-row${i === focus ? " focused" : ""}`} onMouseDown={(e) => e.preventDefault()} onClick={() => props.onToggle(o.key)}>
              <span style={{ flex: 1, minWidth: 0 }} className="truncate">{o.render ?? o.label}</span>
              {sel && <Check size={14} />}
            </button>
          );
        })}
      </div>
    </>
  );
}

export function ChoicePicker(props: { field: Field; value: unknown; onChange: (v: unknown) => void; autoFocus?: boolean }) {
  const { field } = props;
  const multi = field.type === "multiple_select";
  const [query, setQuery] = useState("");
  const selected: string[] = multi ? ((props.value as string[] | null) ?? []) : props.value ? [String(props.value)] : [];
  const options = (field.options?.choices ?? [])
    .filter((c) => c.name.toLowerCase().includes(query.toLowerCase()))
    .map((c) => ({ key: c.name, label: c.name, render: <SelectChip field={field} name={c.name} /> }));
  const toggle = (key: string | number) => {
    const name = String(key);
    if (multi) props.onChange(selected.includes(name) ? selected.filter((n) => n !== name) : [...selected, name]);
    else props.onChange(selected[0] === name ? null : name);
  };
  return (
    <div className="picker">
      {multi && selected.length > 0 && (
        <div className="picked">
          {selected.map((n) => (
            <span key={n} className={`chip chip-${(field.options?.choices ?? []).find((c) => c.name === n)?.color ?? "gray"}`}>
              {n}
              <button type="button" aria-label={`Remove ${n}`} onClick={() => toggle(n)}><X size={12} /></button>
            </span>
          ))}
        </div>
      )}
      <OptionList options={options} selected={selected} onToggle={toggle} query={query} setQuery={setQuery} placeholder="Find an option" autoFocus={props.autoFocus} />
      {(field.options?.choices ?? []).length === 0 && <p className="hint">This field has no options yet. Add them in the field settings.</p>}
    </div>
  );
}


/** Pick rows of the linked table; the cell is written as a list of row ids. */
export function LinkPicker(props: { field: Field; target: Table | undefined; value: unknown; onChange: (v: LinkRef[]) => void; autoFocus?: boolean }) {
  const { field, target } = props;
  const [query, setQuery] = useState("");
  const q = useDebounced(query);
  const selected = (props.value as LinkRef[] | null) ?? [];
  const multiple = field.options?.multiple !== false;
  const primary = target?.fields.find((f) => f.id === target.primary_field_id);
  const rows = useQuery({
    queryKey: ["link-search", target?.id, q],
    queryFn: () => endpoints.rows(target!.id, { search: q, limit: 30 }),
    enabled: !!target,
    // Always ask again when the picker opens: a row added a moment ago must be pickable.
    staleTime: 0,
  });
  const options = useMemo(
    () =>
      (rows.data?.rows ?? []).map((r) => ({
        key: r.id,
        label: (primary && formatCell(primary, r.fields[fieldKey(primary.id)])) || `Row #${r.id}`,
      })),
    [rows.data, primary],
  );
  const toggle = (key: string | number) => {
    const id = Number(key);
    if (selected.some((s) => s.id === id)) return props.onChange(selected.filter((s) => s.id !== id));
    const ref = { id, name: options.find((o) => o.key === id)?.label ?? `#${id}` };
    props.onChange(multiple ? [...selected, ref] : [ref]);
  };
  if (!target) return <p className="error-text">The linked table is not in this base.</p>;
  return (
    <div className="picker">
      {selected.length > 0 && (
        <div className="picked">
          {selected.map((l) => (
            <span key={l.id} className="chip chip-link">
              {l.name || `#${l.id}`}
              <button type="button" aria-label={`Unlink ${l.name}`} onClick={() => toggle(l.id)}><X size={12} /></button>
            </span>
          ))}
        </div>
      )}
      <OptionList options={options} selected={selected.map((s) => s.id)} onToggle={toggle} query={query} setQuery={setQuery} placeholder={`Search ${target.name}`} loading={rows.isFetching && !rows.data} autoFocus={props.autoFocus} />
    </div>
  );
}

export function CollaboratorPicker(props: { workspaceId: Id; value: unknown; onChange: (v: UserRef[]) => void; autoFocus?: boolean }) {
  const members = useMembers(props.workspaceId);
  const [query, setQuery] = useState("");
  const selected = (props.value as UserRef[] | null) ?? [];
  const options = (members.data?.items ?? [])
    .filter((m) => `${m.name} ${m.email}`.toLowerCase().includes(query.toLowerCase()))
    .map((m) => ({ key: m.user_id, label: m.name || m.email, render: <span>{m.name || m.email} <span className="faint small">{m.email}</span></span> }));
  const toggle = (key: string | number) => {
    const id = Number(key);
    if (selected.some((u) => u.id === id)) return props.onChange(selected.filter((u) => u.id !== id));
    const m = members.data?.items.find((x) => x.user_id === id);
    if (m) props.onChange([...selected, { id, email: m.email, name: m.name }]);
  };
  return (
    <div className="picker">
      <OptionList options={options} selected={selected.map((u) => u.id)} onToggle={toggle} query={query} setQuery={setQuery} placeholder="Find a person" loading={members.isPending} autoFocus={props.autoFocus} />
      {members.isError && <p className="error-text">Could not load the members of this workspace.</p>}
    </div>
  );
}
