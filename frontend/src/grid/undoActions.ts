import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/client";
import { endpoints } from "../api/endpoints";
import type { Field, Id, Row } from "../api/types";
import { undoBody, UndoStack, type UndoEntry } from "./undo";

export interface UndoOptions {
  tableId: Id;
  fieldsById: Map<Id, Field>;
  applyRow: (row: Row) => void;
  notify: (message: string, kind: "info" | "error" | "success") => void;
}

/**
 * Undo for the grid: `record()` after each saved edit or paste, `undo()` (Ctrl+Z or the
 * toolbar) writes the old values back as one batch, unless someone else has changed one of
 * the rows since; then nothing is written and the user is told.
 */
export function useGridUndo(opts: UndoOptions) {
  const stack = useRef(new UndoStack());
  const busy = useRef(false);
  const [label, setLabel] = useState<string | null>(null);
  const optsRef = useRef(opts);
  useEffect(() => {
    optsRef.current = opts;
  });
  const sync = useCallback(() => setLabel(stack.current.peek()?.label ?? null), []);

  /** Our write took `row` from `before` to `after`: remember it for undo. */
  const record = useCallback((entry: UndoEntry, before: Map<Id, number>) => {
    for (const [id, version] of Object.entries(entry.versions)) {
      const from = before.get(Number(id));
      if (from !== undefined) stack.current.rebase(Number(id), from, version);
    }
    stack.current.push(entry);
    sync();
  }, [sync]);

  const undo = useCallback(async () => {
    const o = optsRef.current;
    if (busy.current) return;
    const entry = stack.current.pop();
    sync();
    if (!entry) {
      o.notify("Nothing to undo", "info");
      return;
    }
    busy.current = true;
    const ids = Object.keys(entry.versions).map(Number);
    const refused = () =>
      o.notify(
        `Could not undo the ${entry.label}: someone else changed ${ids.length === 1 ? "the row" : "one of the rows"} since. Nothing was changed.`,
        "info",
      );
    try {
      // Each row carries the version our write produced: the server refuses the whole
      // batch (409) if someone changed any of them since, so the check and the write
      // are one atomic step.
      const body = undoBody(entry, o.fieldsById).map((r) => ({ ...r, version: entry.versions[r.id] }));
      try {
        const res = await endpoints.updateRows(o.tableId, body);
        for (const row of res.rows) {
          o.applyRow(row);
          stack.current.rebase(row.id, entry.versions[row.id], row.version);
        }
      } catch (e) {
        if (!(e instanceof ApiError && (e.status === 409 || e.status === 404))) throw e;
        refused();
        if (e.status === 409 && e.details && typeof e.details.row_id === "number") {
          o.applyRow(await endpoints.row(o.tableId, e.details.row_id));
        }
        return;
      }
      o.notify(`Undid the ${entry.label}`, "success");
    } catch (e) {
      // Not a conflict (offline, server error): keep the entry so the user can retry.
      stack.current.push(entry);
      sync();
      o.notify(e instanceof Error ? e.message : "Could not undo", "error");
    } finally {
      busy.current = false;
    }
  }, [sync]);

  return { record, undo, label };
}
