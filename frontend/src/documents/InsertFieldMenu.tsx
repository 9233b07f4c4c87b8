import { useState } from "react";
import { Braces, Repeat } from "lucide-react";
import type { Field, Table } from "../api/types";
import { typeInfo } from "../fields/fieldTypes";
import { Popover, usePopover } from "../ui/Popover";
import { fieldExpression, linkLoopSnippet } from "./insert";

const EXTRAS: { label: string; snippet: string }[] = [
  { label: "Company name", snippet: "{{ base.company.name }}" },
  { label: "Company address", snippet: "{{ base.company.address | e | replace(\"\\n\", \"<br>\" | safe) }}" },
  { label: "Today's date", snippet: "{{ fmt.date(today) }}" },
];

/**
 * "Insert field": every field of the document's table as a Jinja expression; link fields
 * insert a loop over the linked rows. `indentation` is that of the caret's line.
 */
export function InsertFieldMenu(props: {
  table: Table;
  tables: Table[];
  disabled?: boolean;
  indentation: () => string;
  onInsert: (snippet: string) => void;
}) {
  const { table, tables } = props;
  const menu = usePopover();
  const [filter, setFilter] = useState("");
  const shown = table.fields.filter((f) => f.type !== "button" && f.name.toLowerCase().includes(filter.trim().toLowerCase()));
  const pick = (snippet: string) => {
    menu.close();
    setFilter("");
    props.onInsert(snippet);
  };
  const snippetFor = (f: Field) =>
    f.type === "link" ? linkLoopSnippet(f, tables.find((t) => t.id === f.options?.table_id), props.indentation()) : fieldExpression(f);

  return (
    <>
      <button
        type="button"
        className="btn btn-sm"
        onClick={menu.toggle}
        aria-haspopup="menu"
        aria-expanded={menu.open}
        disabled={props.disabled}
        // Keep the caret where it is in the editor while the menu opens.
        onMouseDown={(e) => e.preventDefault()}
      >
        <Braces size={14} /> Insert field
      </button>
      {menu.open && (
        <Popover anchor={menu.anchor} onClose={menu.close} width={280}>
          <div className="popover-pad" style={{ paddingBottom: 4 }}>
            <input
              className="input input-sm"
              placeholder="Find a field"
              aria-label="Find a field"
              value={filter}
              autoFocus
              onChange={(e) => setFilter(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && shown[0]) {
                  e.preventDefault();
                  pick(snippetFor(shown[0]));
                }
              }}
            />
          </div>
          <div role="menu" aria-label={`Fields of ${table.name}`} className="insert-menu">
            {shown.map((f) => {
              const Icon = f.type === "link" ? Repeat : typeInfo(f.type).icon;
              return (
                <button key={f.id} type="button" role="menuitem" className="menu-item" onClick={() => pick(snippetFor(f))}>
                  <Icon size={14} /> <span className="truncate">{f.name}</span>
                  {f.type === "link" && <span className="small faint">loop</span>}
                </button>
              );
            })}
            {shown.length === 0 && <p className="small muted" style={{ padding: "4px 10px" }}>No field matches.</p>}
            <div className="menu-sep" />
            <div className="menu-label">Base</div>
            {EXTRAS.map((x) => (
              <button key={x.label} type="button" role="menuitem" className="menu-item" onClick={() => pick(x.snippet)}>
                <Braces size={14} /> {x.label}
              </button>
            ))}
          </div>
        </Popover>
      )}
    </>
  );
}
