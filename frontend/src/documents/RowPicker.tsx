import { useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { endpoints } from "../api/endpoints";
import type { Id, Row, Table } from "../api/types";
import { fieldKey, formatCell } from "../fields/format";
import { useDebounced } from "../ui/useDebounced";

export function rowLabel(table: Table, row: Row): string {
  const primary = table.fields.find((f) => f.id === table.primary_field_id);
  return (primary && formatCell(primary, row.fields[fieldKey(primary.id)])) || `Row ${row.id}`;
}

/** Choose the row the preview and the PDF are made for: a search box and the first matches. */
export function RowPicker(props: { table: Table; value: Id | null; onChange: (id: Id) => void }) {
  const { table, value } = props;
  const [search, setSearch] = useState("");
  const query = useDebounced(search.trim(), 300);
  const rows = useQuery({
    queryKey: ["doc-rows", table.id, query],
    queryFn: () => endpoints.rows(table.id, { search: query, limit: 50 }),
    placeholderData: keepPreviousData,
  });
  const list = rows.data?.rows ?? [];
  const known = value === null || list.some((r) => r.id === value);
  return (
    <div className="row doc-row-picker">
      <input
        className="input input-sm"
        type="search"
        placeholder={`Find in ${table.name}`}
        aria-label={`Find a row of ${table.name}`}
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      <select
        className="select select-sm"
        aria-label="Preview row"
        value={value ?? ""}
        onChange={(e) => props.onChange(Number(e.target.value))}
        disabled={rows.isPending}
      >
        {value === null && <option value="">{rows.isPending ? "Loading rows…" : "First row"}</option>}
        {!known && <option value={value ?? ""}>Row {value}</option>}
        {list.map((r) => (
          <option key={r.id} value={r.id}>{rowLabel(table, r)}</option>
        ))}
      </select>
      {rows.data && list.length === 0 && <span className="small muted">No rows match</span>}
    </div>
  );
}
