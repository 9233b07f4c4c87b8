import { useCallback, useEffect, useRef } from "react";
import type { GridApi } from "ag-grid-community";
import { endpoints } from "../api/endpoints";
import type { Field, Id, Row } from "../api/types";
import { isGroupHeader, type GridItem } from "../grid/pager";
import type { LiveMessage } from "./protocol";
import { othersChanges, useLiveMessages } from "./useLiveBase";

/** Above this many changed rows in view, reloading the visible blocks is cheaper. */
const MAX_ROW_FETCHES = 25;
const REFRESH_DEBOUNCE_MS = 250;

/** A newer version of a row that arrived while one of its cells was being edited. */
export interface PendingRow {
  row: Row;
  fields: Set<Id>;
}

export interface LiveGridOptions {
  baseId: Id;
  tableId: Id;
  me: Id;
  api: () => GridApi<GridItem> | null;
  fieldsById: Map<Id, Field>;
  /** Show a row's new values (grid node and pager cache). */
  applyRow: (row: Row) => void;
  /** Reload the loaded blocks in place (keeps the scroll position) and the row count. */
  refresh: () => void;
  notify: (message: string) => void;
}

function editingRow(api: GridApi<GridItem>, id: Id): { colId: string } | null {
  const node = api.getRowNode(String(id));
  if (!node || node.rowIndex === null) return null;
  const cell = api.getEditingCells().find((c) => c.rowIndex === node.rowIndex && !c.rowPinned);
  return cell ? { colId: cell.column.getColId() } : null;
}

/**
 * Brings other people's changes into the open grid without a reload: changed rows that are
 * loaded are fetched and replaced in place; added or deleted rows reload the loaded blocks
 * (the scroll position stays). A row whose cell is being edited is not touched until the
 * editor closes; if the edited cell itself changed, the user is told at once and the save
 * then meets the version check (409) instead of silently overwriting.
 */
export function useLiveGrid(opts: LiveGridOptions) {
  const optsRef = useRef(opts);
  useEffect(() => {
    optsRef.current = opts;
  });
  const pending = useRef(new Map<Id, PendingRow>());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const scheduleRefresh = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      optsRef.current.refresh();
    }, REFRESH_DEBOUNCE_MS);
  }, []);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);

  const receiveRow = useCallback((fresh: Row, fields: Id[]) => {
    const o = optsRef.current;
    const api = o.api();
    if (!api) return;
    const editing = editingRow(api, fresh.id);
    if (!editing) {
      o.applyRow(fresh);
      return;
    }
    const entry = pending.current.get(fresh.id) ?? { row: fresh, fields: new Set<Id>() };
    entry.row = fresh;
    fields.forEach((f) => entry.fields.add(f));
    pending.current.set(fresh.id, entry);
    const field = o.fieldsById.get(Number(editing.colId));
    if (field && fields.includes(field.id)) {
      o.notify(`Someone else just changed "${field.name}" in the row you are editing. Your value will only be saved if theirs is reloaded first.`);
    }
  }, []);

  const onMessage = useCallback(
    async (message: LiveMessage) => {
      const o = optsRef.current;
      if (message.type === "schema_changed" || (message.type === "resync" && (!message.table_id || message.table_id === o.tableId))) {
        scheduleRefresh();
        return;
      }
      if (message.type !== "rows" || message.table_id !== o.tableId) return;
      const changes = othersChanges(message, o.me);
      if (!changes.length) return;
      if (changes.some((c) => c.op !== "updated")) scheduleRefresh();
      const api = o.api();
      const loaded = changes.filter((c) => {
        if (c.op !== "updated") return false;
        const data = api?.getRowNode(String(c.row_id))?.data;
        return !!data && !isGroupHeader(data);
      });
      if (loaded.length > MAX_ROW_FETCHES) {
        scheduleRefresh();
        return;
      }
      await Promise.all(
        loaded.map(async (c) => {
          try {
            receiveRow(await endpoints.row(o.tableId, c.row_id), c.fields ?? []);
          } catch {
            scheduleRefresh(); // gone meanwhile, or no longer visible to us
          }
        }),
      );
    },
    [receiveRow, scheduleRefresh],
  );
  useLiveMessages(opts.baseId, (m) => void onMessage(m));

  return {
    /** The newer row that arrived during an edit of `rowId` (taken: the caller saves on it). */
    takePending: (rowId: Id): PendingRow | undefined => {
      const entry = pending.current.get(rowId);
      pending.current.delete(rowId);
      return entry;
    },
    /** Editing stopped without a save: show what arrived meanwhile. */
    flushPending: (rowId: Id) => {
      const entry = pending.current.get(rowId);
      if (!entry) return;
      pending.current.delete(rowId);
      optsRef.current.applyRow(entry.row);
    },
  };
}
