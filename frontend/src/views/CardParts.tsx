import type { Field, Row, Table } from "../api/types";
import { CellValue } from "../fields/CellValue";
import { fieldKey, formatCell } from "../fields/format";

export function rowTitle(table: Table, row: Row): string {
  const primary = table.fields.find((f) => f.id === table.primary_field_id);
  return (primary && formatCell(primary, row.fields[fieldKey(primary.id)])) || `Row ${row.id}`;
}

/** A few labelled values on a card (skips empty ones). */
export function CardFields({ fields, row, max = 4 }: { fields: Field[]; row: Row; max?: number }) {
  const shown = fields
    .filter((f) => {
      const v = row.fields[fieldKey(f.id)];
      return v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && !v.length) && f.type !== "button";
    })
    .slice(0, max);
  return (
    <dl className="card-fields">
      {shown.map((f) => (
        <div key={f.id}>
          <dt className="faint small truncate">{f.name}</dt>
          <dd className="truncate"><CellValue field={f} value={row.fields[fieldKey(f.id)]} /></dd>
        </div>
      ))}
    </dl>
  );
}
