import { useEffect, useMemo, useRef, useState } from "react";
import type { IDatasource } from "ag-grid-community";
import { endpoints } from "../api/endpoints";
import type { Field, Id, RowCount, SortSpec, ViewConfig } from "../api/types";
import { formatCell } from "../fields/format";
import { cleanFilter } from "../views/filter";
import { CursorPager, GroupedPager, type Pager } from "./pager";

export const BLOCK = 100;

/** `[{field:"f_3",direction:"desc"},{field:"f_2",...}]` → "-f_3,f_2". */
export function toSortParam(specs: SortSpec[]): string {
  const seen = new Set<string>();
  return specs
    .filter((s) => !seen.has(s.field) && seen.add(s.field))
    .map((s) => (s.direction === "desc" ? `-${s.field}` : s.field))
    .join(",");
}

export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = window.setTimeout(() => setV(value), ms);
    return () => window.clearTimeout(t);
  }, [value, ms]);
  return v;
}

/**
 * The grid's datasource and row count for the current filter, sort, grouping and search.
 * A new pager (and so a fresh cache) is made whenever one of them changes or `reload()`.
 */
export function useGridData(tableId: Id, config: ViewConfig, search: string, fieldsByKey: Map<string, Field>) {
  const [reloadToken, setReloadToken] = useState(0);
  const [count, setCount] = useState<RowCount | null>(null);
  const [error, setError] = useState<unknown>(null);
  const pagerRef = useRef<Pager | null>(null);
  const filter = useMemo(() => cleanFilter(config.filter), [config.filter]);
  const groupBy = useMemo(() => config.group_by ?? [], [config.group_by]);
  const sort = toSortParam([...groupBy, ...(config.sort ?? [])]);
  const key = JSON.stringify({ filter, sort, search, groups: groupBy.map((g) => g.field), reloadToken });

  const datasource = useMemo<IDatasource>(() => {
    const q = JSON.parse(key) as { filter: typeof filter; sort: string; search: string };
    const fetchPage = (cursor: string | null, limit: number) =>
      endpoints.rows(tableId, { filter: q.filter, sort: q.sort, search: q.search, cursor, limit });
    const pager: Pager = groupBy.length
      ? new GroupedPager(
          fetchPage,
          groupBy.map((g) => ({
            key: g.field,
            label: (r) => {
              const f = fieldsByKey.get(g.field);
              return f ? formatCell(f, r.fields[g.field]) : String(r.fields[g.field] ?? "");
            },
          })),
          BLOCK,
        )
      : new CursorPager(fetchPage, BLOCK);
    pagerRef.current = pager;
    setError(null);
    return {
      getRows: (p) => {
        pager
          .getBlock(Math.floor(p.startRow / BLOCK))
          .then((b) => p.successCallback(b.items, b.lastRow ?? -1))
          .catch((e: unknown) => {
            setError(e);
            p.failCallback();
          });
      },
    };
    // fieldsByKey only matters for group labels; the key captures everything else.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tableId, key]);

  useEffect(() => {
    const q = JSON.parse(key) as { filter: typeof filter; sort: string; search: string };
    let live = true;
    endpoints
      .rowCount(tableId, { filter: q.filter, search: q.search })
      .then((c) => live && setCount(c))
      .catch(() => live && setCount(null));
    return () => {
      live = false;
    };
  }, [tableId, key]);

  return {
    datasource,
    count,
    setCount,
    error,
    grouped: groupBy.length > 0,
    pager: () => pagerRef.current,
    reload: () => setReloadToken((t) => t + 1),
  };
}
