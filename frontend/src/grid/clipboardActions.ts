import { useCallback, useEffect, useRef } from "react";
import type { GridApi } from "ag-grid-community";
import { endpoints } from "../api/endpoints";
import type { Field, Id, Row } from "../api/types";
import { copyCells, fitToSelection, formatTsv, MAX_PASTE_ROWS, parseTsv, planPaste, type PastePlan } from "./clipboard";
import { isGroupHeader, type GridItem } from "./pager";
import { describeSize, isMultiCell, type Bounds, type CellRange } from "./selection";
import type { UndoEntry } from "./undo";

export interface ClipboardOptions {
  tableId: Id;
  api: () => GridApi<GridItem> | null;
  canEdit: boolean;
  fieldsById: Map<Id, Field>;
  selection: {
    bounds: () => Bounds | null;
    columns: () => string[];
    set: (range: CellRange | null) => void;
  };
  applyRow: (row: Row) => void;
  record: (entry: UndoEntry, before: Map<Id, number>) => void;
  notify: (message: string, kind: "info" | "error" | "success") => void;
}

/** Loaded rows from display index `from` on (group headers skipped), at most `count`. */
function loadedRows(api: GridApi<GridItem>, from: number, count: number): Row[] {
  const rows: Row[] = [];
  const total = api.getDisplayedRowCount();
  for (let i = from; i < total && rows.length < count; i++) {
    const data = api.getDisplayedRowAtIndex(i)?.data;
    if (!data) break; // not loaded: pasting stops at what the grid holds
    if (!isGroupHeader(data)) rows.push(data);
  }
  return rows;
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.isContentEditable);
}

/**
 * Copy (Ctrl/Cmd+C) a cell or range as TSV of the displayed text, and paste (Ctrl/Cmd+V)
 * TSV at the selection as one all-or-nothing batch update. The browser's copy and paste
 * events are used when they fire (no permission needed); otherwise the async clipboard API.
 */
export function useGridClipboard(opts: ClipboardOptions) {
  const optsRef = useRef(opts);
  useEffect(() => {
    optsRef.current = opts;
  });
  const copied = useRef<string | null>(null);
  const pasteHandled = useRef(false);
  const busy = useRef(false);

  const fieldsOf = (colIds: string[]) =>
    colIds.map((id) => optsRef.current.fieldsById.get(Number(id))).filter((f): f is Field => !!f);

  /** The selection (or focused cell) as TSV, or null when there is none. */
  const selectionText = useCallback((): string | null => {
    const { api, selection } = optsRef.current;
    const grid = api();
    const b = selection.bounds();
    if (!grid || !b) return null;
    const cols = selection.columns().slice(b.left, b.right + 1);
    const rows = loadedRows(grid, b.top, b.bottom - b.top + 1);
    return rows.length ? formatTsv(copyCells(rows, fieldsOf(cols))) : null;
  }, []);

  const copy = useCallback(() => {
    const text = selectionText();
    if (text === null) return;
    copied.current = text;
    // If the browser fires no copy event (some embedded or automated browsers), write
    // through the async API instead.
    setTimeout(() => {
      if (copied.current === null) return;
      copied.current = null;
      void navigator.clipboard?.writeText(text).catch(() => undefined);
    }, 50);
    const b = optsRef.current.selection.bounds();
    if (b && isMultiCell(b)) optsRef.current.notify(`Copied ${describeSize(b)} cells`, "info");
  }, [selectionText]);

  const onCopyEvent = useCallback((e: ClipboardEvent | React.ClipboardEvent) => {
    if (isTyping(e.target)) return;
    const text = copied.current ?? selectionText();
    copied.current = null;
    if (text === null || !e.clipboardData) return;
    e.clipboardData.setData("text/plain", text);
    e.preventDefault();
  }, [selectionText]);

  /** Paste TSV at the selection (`verb` names it for messages and undo). */
  const pasteText = useCallback(async (text: string, verb = "paste") => {
    const o = optsRef.current;
    const grid = o.api();
    const b = o.selection.bounds();
    if (!grid || !b || !o.canEdit || busy.current) return;
    const selHeight = b.bottom - b.top + 1;
    const selWidth = b.right - b.left + 1;
    const block = fitToSelection(parseTsv(text.replace(/\r?\n$/, "") + "\n"), selHeight, selWidth);
    if (!block.length) return;
    const cols = o.selection.columns();
    const fields = fieldsOf(cols.slice(b.left));
    const rows = loadedRows(grid, b.top, Math.min(block.length, MAX_PASTE_ROWS));
    const plan: PastePlan = planPaste(block, rows, fields);
    const done = verb === "paste" ? "Pasted" : "Cleared";
    if (plan.errors.length) {
      const more = plan.errors.length > 3 ? ` and ${plan.errors.length - 3} more` : "";
      o.notify(`Nothing was ${done.toLowerCase()}: ${plan.errors.slice(0, 3).join("; ")}${more}.`, "error");
      return;
    }
    const notes: string[] = [];
    if (plan.skipped.length) notes.push(`${plan.skipped.join(", ")} kept ${plan.skipped.length === 1 ? "its" : "their"} values (read-only, computed or linked cells cannot be ${verb === "paste" ? "pasted into" : "cleared"} here)`);
    if (plan.rowsLeftOut) notes.push(`${plan.rowsLeftOut} ${plan.rowsLeftOut === 1 ? "row goes" : "rows go"} beyond the rows shown and ${plan.rowsLeftOut === 1 ? "was" : "were"} left out`);
    if (!plan.updates.length) {
      o.notify(notes.length ? `Nothing changed: ${notes.join("; ")}.` : "Nothing changed", "info");
      return;
    }
    busy.current = true;
    const before = new Map(rows.map((r) => [r.id, r.version]));
    try {
      const res = await endpoints.updateRows(o.tableId, plan.updates);
      const versions: Record<Id, number> = {};
      for (const row of res.rows) {
        o.applyRow(row);
        versions[row.id] = row.version;
      }
      const width = Math.min(Math.max(...block.map((r) => r.length)), fields.length);
      const height = Math.min(block.length, rows.length);
      const size = `${height} × ${width}`;
      o.record({ tableId: o.tableId, label: `${verb} of ${size} cells`, changes: plan.changes, versions }, before);
      const last = loadedIndex(grid, rows[height - 1]?.id) ?? b.top + height - 1;
      o.selection.set({ anchor: { row: b.top, col: cols[b.left] }, end: { row: last, col: cols[b.left + width - 1] } });
      o.notify(`${done} ${size} cells${notes.length ? `. ${notes.join("; ")}.` : ""}`, notes.length ? "info" : "success");
    } catch (e) {
      o.notify(`Nothing was ${done.toLowerCase()}: ${e instanceof Error ? e.message : "the server refused it"}`, "error");
    } finally {
      busy.current = false;
    }
  }, []);

  const onPasteEvent = useCallback((e: ClipboardEvent | React.ClipboardEvent) => {
    if (isTyping(e.target) || !e.clipboardData) return;
    pasteHandled.current = true;
    e.preventDefault();
    void pasteText(e.clipboardData.getData("text/plain"));
  }, [pasteText]);

  /** Ctrl/Cmd+V on a cell: the paste event normally follows; if it does not, read the
   * clipboard through the async API (asks for permission in some browsers). */
  const paste = useCallback(() => {
    pasteHandled.current = false;
    setTimeout(() => {
      if (pasteHandled.current) return;
      void navigator.clipboard?.readText().then(pasteText, () =>
        optsRef.current.notify("The browser did not allow reading the clipboard; use Ctrl+V on a cell", "error"),
      );
    }, 50);
  }, [pasteText]);

  /** Delete on a range: empty every cell of it (one batch, undoable). */
  const clear = useCallback(() => pasteText("", "clearing"), [pasteText]);

  return { copy, paste, clear, onCopyEvent, onPasteEvent };
}

function loadedIndex(api: GridApi<GridItem>, rowId: Id | undefined): number | undefined {
  if (rowId === undefined) return undefined;
  return api.getRowNode(String(rowId))?.rowIndex ?? undefined;
}
