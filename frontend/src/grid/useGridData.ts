import { useEffect, useMemo, useRef, useState } from "react";
import type { IDatasource } from "ag-grid-community";
import { endpoints } from "../api/endpoints";
import type { Field, Id, RowCount, RowPage, SortSpec, ViewConfig } from "../api/types";
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


/** How long a pager made by a render that never committed may be taken over. */
const CLAIM_MS = 3000;
const unclaimed = new Map<string, { pager: Pager; made: number }>();

/**
 * One pager per query while the grid mounts. React may render the grid several times
 * before it commits (a router transition that restarts throws the earlier renders' memos
 * away); each render would make its own pager and ask for the first rows again, after the
 * first answer was already in. The renders share one pager instead, which asks for the
 * first rows at once (overlapping AG Grid's start-up, whose request for block 0 is then
 * answered from the pager's cache); the render that commits claims it.
 */
function pagerFor(key: string, make: () => Pager): Pager {
  const now = performance.now();
  for (const [k, v] of unclaimed) if (now - v.made > CLAIM_MS) unclaimed.delete(k);
  const waiting = unclaimed.get(key);
  if (waiting) return waiting.pager;
  const pager = make();
  void pager.getBlock(0).catch(() => undefined);
  unclaimed.set(key, { pager, made: now });
  return pager;
}

/**
 * The grid's datasource and row count for the current filter, sort, grouping and search.
 * A new pager (and so a fresh cache) is made whenever one of them changes or `reload()`.
 * `refresh()` swaps in a fresh pager behind the same datasource, so the grid can reload its
 * loaded blocks in place (`refreshInfiniteCache`) without jumping to the top.
 */
export function useGridData(tableId: Id, config: ViewConfig, search: string, fieldsByKey: Map<string, Field>) {
  const [reloadToken, setReloadToken] = useState(0);
  const [countToken, setCountToken] = useState(0);
  const [count, setCount] = useState<RowCount | null>(null);
  const [error, setError] = useState<unknown>(null);
  const pagerRef = useRef<Pager | null>(null);
  const makePagerRef = useRef<(() => Pager) | null>(null);
  const filter = useMemo(() => cleanFilter(config.filter), [config.filter]);
  const groupBy = useMemo(() => config.group_by ?? [], [config.group_by]);
  const sort = toSortParam([...groupBy, ...(config.sort ?? [])]);
  const key = JSON.stringify({ filter, sort, search, groups: groupBy.map((g) => g.field), reloadToken });
  const pagerKey = JSON.stringify([tableId, key]);
  useEffect(() => {
    unclaimed.delete(pagerKey); // committed: this mount owns the pager now
  }, [pagerKey]);

  const datasource = useMemo<IDatasource>(() => {
    const q = JSON.parse(key) as { filter: typeof filter; sort: string; search: string };
    const fetchPage = (cursor: string | null, limit: number, offset?: number): Promise<RowPage> =>
      endpoints.rows(tableId, { filter: q.filter, sort: q.sort, search: q.search, cursor, limit, offset });
    const makePager = (): Pager => groupBy.length
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
    makePagerRef.current = makePager;
    pagerRef.current = pagerFor(pagerKey, makePager);
    setError(null);
    return {
      getRows: (p) => {
        const pager = pagerRef.current ?? makePager();
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
  }, [tableId, key, countToken]);

  return {
    datasource,
    count,
    setCount,
    error,
    grouped: groupBy.length > 0,
    pager: () => pagerRef.current,
    reload: () => setReloadToken((t) => t + 1),
    /** Forget the cached rows (not the datasource) and recount; then refresh the grid's cache. */
    refresh: () => {
      if (makePagerRef.current) pagerRef.current = makePagerRef.current();
      setCountToken((t) => t + 1);
    },
  };
}
