import type { FieldType, Table } from "../api/types";
import { typeInfo } from "../fields/fieldTypes";
import type { DetectedColumn } from "./api";
import { COLUMN_TYPES, importableFields, type ColumnChoice } from "./mapping";

const encode = (c: ColumnChoice) => (c.kind === "field" ? `field:${c.field}` : c.kind);

function TypeSelect(props: { value: FieldType; label: string; onChange: (t: FieldType) => void; withSkip?: boolean; onSkip?: () => void; skipped?: boolean }) {
  return (
    <select
      className="select select-sm"
      aria-label={props.label}
      value={props.skipped ? "skip" : props.value}
      onChange={(e) => (e.target.value === "skip" ? props.onSkip?.() : props.onChange(e.target.value as FieldType))}
    >
      {COLUMN_TYPES.map((t) => <option key={t} value={t}>{typeInfo(t).label}</option>)}
      {props.withSkip && <option value="skip">Skip this column</option>}
    </select>
  );
}

/**
 * One line per column of the file: a few sample values and where the column goes. Into an
 * existing table: a field, a new field of a chosen type, or nowhere; for a new table: the
 * field type (or skip).
 */
export function MappingTable(props: {
  columns: DetectedColumn[];
  table: Table | null;
  choices: Record<string, ColumnChoice>;
  onChange: (column: string, choice: ColumnChoice) => void;
}) {
  const { columns, table, choices } = props;
  const fields = table ? importableFields(table) : [];
  return (
    <div className="import-mapping card">
      <table className="table">
        <thead>
          <tr>
            <th>Column in the file</th>
            <th>Sample values</th>
            <th>{table ? `Import into (${table.name})` : "Field type"}</th>
          </tr>
        </thead>
        <tbody>
          {columns.map((col) => {
            const choice = choices[col.name] ?? { kind: "skip" };
            const samples = col.samples.filter((s) => s !== "").slice(0, 3);
            return (
              <tr key={col.index} className={choice.kind === "skip" ? "import-skipped" : undefined}>
                <td><strong className="truncate import-col">{col.name || `Column ${col.index + 1}`}</strong></td>
                <td className="small muted"><span className="truncate import-samples" title={samples.join(" · ")}>{samples.join(" · ") || "(empty)"}</span></td>
                <td>
                  {table ? (
                    <div className="row" style={{ gap: 6 }}>
                      <select
                        className="select select-sm"
                        aria-label={`Import column ${col.name} into`}
                        value={encode(choice)}
                        onChange={(e) => {
                          const v = e.target.value;
                          props.onChange(col.name, v === "skip" ? { kind: "skip" } : v === "new" ? { kind: "new", type: COLUMN_TYPES.includes(col.type) ? col.type : "text" } : { kind: "field", field: v.slice(6) });
                        }}
                      >
                        <optgroup label="Existing fields">
                          {fields.map((f) => <option key={f.id} value={`field:${f.name}`}>{f.name}</option>)}
                        </optgroup>
                        <option value="new">New field "{col.name}"</option>
                        <option value="skip">Skip this column</option>
                      </select>
                      {choice.kind === "new" && (
                        <TypeSelect label={`Type of the new field ${col.name}`} value={choice.type} onChange={(type) => props.onChange(col.name, { kind: "new", type })} />
                      )}
                    </div>
                  ) : (
                    <TypeSelect
                      label={`Field type of column ${col.name}`}
                      value={choice.kind === "new" ? choice.type : col.type}
                      skipped={choice.kind === "skip"}
                      withSkip
                      onSkip={() => props.onChange(col.name, { kind: "skip" })}
                      onChange={(type) => props.onChange(col.name, { kind: "new", type })}
                    />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
