// Who gets a message: free e-mail addresses (or templates) typed as chips, or members of
// the workspace picked from a list (in-app notifications only reach members).
import { useState } from "react";
import { X } from "lucide-react";
import { useMembers } from "../../api/queries";
import { useBuilder } from "../context";

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

function Chips(props: { items: string[]; onRemove: (item: string) => void }) {
  if (!props.items.length) return null;
  return (
    <div className="chips wrap">
      {props.items.map((item) => (
        <span key={item} className="chip chip-link">
          {item}
          <button type="button" className="chip-x" aria-label={`Remove ${item}`} onClick={() => props.onRemove(item)}>
            <X size={12} />
          </button>
        </span>
      ))}
    </div>
  );
}

/** Split typed text into addresses: commas, semicolons and spaces separate them. */
export function splitAddresses(text: string): string[] {
  // A template ({{ ... }}) may contain spaces; keep it whole.
  if (text.includes("{{")) return text.trim() ? [text.trim()] : [];
  return text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
}

export function RecipientsInput(props: { id: string; value: unknown; onChange: (v: string[]) => void; invalid?: boolean }) {
  const items = asList(props.value);
  const [text, setText] = useState("");
  const commit = () => {
    const add = splitAddresses(text).filter((a) => !items.includes(a));
    if (add.length) props.onChange([...items, ...add]);
    setText("");
  };
  return (
    <div className="col" style={{ gap: 6 }}>
      <Chips items={items} onRemove={(a) => props.onChange(items.filter((x) => x !== a))} />
      <input
        id={props.id}
        className="input"
        type="text"
        inputMode="email"
        placeholder="name@example.com"
        aria-invalid={props.invalid}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if ((e.key === "Enter" || e.key === ",") && text.trim()) {
            e.preventDefault();
            commit();
          } else if (e.key === "Backspace" && !text && items.length) {
            props.onChange(items.slice(0, -1));
          }
        }}
      />
    </div>
  );
}

export function MembersPicker(props: { id: string; value: unknown; onChange: (v: string[]) => void; invalid?: boolean }) {
  const { base } = useBuilder();
  const members = useMembers(base.workspace_id);
  const items = asList(props.value);
  const chosen = new Set(items.map((e) => e.toLowerCase()));
  const available = (members.data?.items ?? []).filter((m) => !chosen.has(m.email.toLowerCase()));
  return (
    <div className="col" style={{ gap: 6 }}>
      <Chips items={items} onRemove={(a) => props.onChange(items.filter((x) => x !== a))} />
      <select id={props.id} className="select" aria-invalid={props.invalid} value="" disabled={members.isPending} onChange={(e) => e.target.value && props.onChange([...items, e.target.value])}>
        <option value="">{members.isPending ? "Loading members…" : "Add a member…"}</option>
        {available.map((m) => (
          <option key={m.user_id} value={m.email}>{m.name && m.name !== m.email ? `${m.name} (${m.email})` : m.email}</option>
        ))}
      </select>
      {members.isError && <p className="error-text">Could not load the members of this workspace.</p>}
    </div>
  );
}
