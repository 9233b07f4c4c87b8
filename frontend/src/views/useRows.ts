import { useQuery, useQueryClient } from "@tanstack/react-query";
import { endpoints } from "../api/endpoints";
import type { FilterGroup, Id, Row } from "../api/types";
import { cleanFilter } from "./filter";

const MAX_ROWS = 2000;

/**
 * Rows for card views (kanban, calendar, gallery): up to 2,000, following cursors.
 * `truncated` says when there are more than that.
 */
export function useCardRows(tableId: Id, filter: FilterGroup | null | undefined, sort = "") {
  const qc = useQueryClient();
  const clean = cleanFilter(filter);
  const key = ["card-rows", tableId, JSON.stringify(clean), sort];
  const query = useQuery({
    queryKey: key,
    queryFn: async () => {
      const rows: Row[] = [];
      let cursor: string | null = null;
      do {
        const page = await endpoints.rows(tableId, { filter: clean, sort, cursor, limit: 500 });
        rows.push(...page.rows);
        cursor = page.next_cursor;
      } while (cursor && rows.length < MAX_ROWS);
      return { rows, truncated: !!cursor };
    },
  });
  /** Show a changed row at once (optimistic, and after the server answered). */
  const setRow = (row: Row) =>
    qc.setQueryData<{ rows: Row[]; truncated: boolean }>(key, (old) =>
      old && { ...old, rows: old.rows.map((r) => (r.id === row.id ? row : r)) },
    );
  return { ...query, setRow };
}
