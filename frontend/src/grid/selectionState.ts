import { useCallback, useMemo, useRef } from "react";
import type {
  CellClassParams, CellFocusedEvent, ColDef, GridApi, NavigateToNextCellParams,
} from "ag-grid-community";
import type { GridItem } from "./pager";
import { inBounds, isMultiCell, moveFocus, rangeBounds, type Bounds, type CellRange } from "./selection";
import "./selection.css";

export const RANGE_CLASS = "cell-in-range";

/**
 * The grid's cell-range selection: Shift+click or Shift+arrows extend it from the cell where
 * it started. Kept in refs (not state) so moving it re-renders nothing but the cells' classes.
 */
export function useRangeSelection(api: () => GridApi<GridItem> | null, isDataColumn: (colId: string) => boolean) {
  const range = useRef<CellRange | null>(null);
  const bounds = useRef<Bounds | null>(null);
  const colIndex = useRef(new Map<string, number>());
  const extend = useRef(false);

  /** Data column ids in display order (pinned first, as shown). */
  const columns = useCallback(
    () => (api()?.getAllDisplayedColumns() ?? []).map((c) => c.getColId()).filter(isDataColumn),
    [api, isDataColumn],
  );

  const set = useCallback(
    (next: CellRange | null) => {
      const hadMany = isMultiCell(bounds.current);
      const cols = columns();
      range.current = next;
      bounds.current = rangeBounds(next, cols);
      colIndex.current = new Map(cols.map((c, i) => [c, i]));
      // Re-applies the cells' class rules (values are compared, renderers kept).
      if (hadMany || isMultiCell(bounds.current)) api()?.refreshCells();
    },
    [api, columns],
  );

  const onCellFocused = useCallback(
    (e: CellFocusedEvent<GridItem>) => {
      const colId = e.column && typeof e.column !== "string" ? e.column.getColId() : null;
      const wasExtending = extend.current;
      extend.current = false;
      if (e.rowIndex === null || e.rowIndex === undefined || !colId || !isDataColumn(colId) || e.rowPinned) {
        set(null);
        return;
      }
      set(moveFocus(range.current, { row: e.rowIndex, col: colId }, wasExtending));
    },
    [isDataColumn, set],
  );

  /** On the grid's wrapper, capture phase: the grid moves focus on mouse down and reports
   * it before its own mouse-down event, so Shift is read here first. */
  const onMouseDownCapture = useCallback((e: React.MouseEvent) => {
    extend.current = e.shiftKey;
  }, []);

  const navigateToNextCell = useCallback((p: NavigateToNextCellParams) => {
    extend.current = !!(p.event as KeyboardEvent | null)?.shiftKey;
    return p.nextCellPosition;
  }, []);

  const cellClassRules = useMemo<ColDef<GridItem>["cellClassRules"]>(
    () => ({
      [RANGE_CLASS]: (p: CellClassParams<GridItem>) => {
        const b = bounds.current;
        if (!isMultiCell(b) || p.node.rowIndex === null) return false;
        const i = colIndex.current.get(p.column.getColId());
        return i !== undefined && inBounds(b, p.node.rowIndex, i);
      },
    }),
    [],
  );

  return {
    /** The selected rectangle (row indexes, data-column positions), or null. */
    bounds: () => bounds.current,
    columns,
    set,
    clear: () => set(null),
    onCellFocused,
    onMouseDownCapture,
    navigateToNextCell,
    cellClassRules,
  };
}
