import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/client";
import { endpoints } from "../api/endpoints";
import type { Field, Id, Row } from "../api/types";
import { conflictingRows, undoBody, UndoStack, type UndoEntry } from "./undo";

/** Undo checks each row's version with one request per row up to this many rows; larger
 * undos compare with the rows the grid holds (kept current by live updates). */
const MAX_VERSION_FETCHES = 100;
const FETCH_CONCURRENCY = 6;

export interface UndoOptions {
  tableId: Id;
  fieldsById: Map<Id, Field>;
  applyRow: (row: Row) => void;
  /** The version of a row as the grid holds it, when loaded. */
  gridVersion: (rowId: Id) => number | undefined;
  notify: (message: string, kind: "info" | "error" | "success") => void;
}

async function currentVersions(tableId: Id, ids: Id[]): Promise<Map<Id, number>> {
  const out = new Map<Id, number>();
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      try {
        out.set(id, (await endpoints.row(tableId, id)).version);
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404)) throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, ids.length) }, worker));
  return out;
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
    const refused = (count: number) =>
      o.notify(
        `Could not undo the ${entry.label}: someone else changed ${count === 1 ? "the row" : `${count} of the rows`} since. Nothing was changed.`,
        "info",
      );
    try {
      const body = undoBody(entry, o.fieldsById);
      if (ids.length === 1) {
        try {
          const saved = await endpoints.updateRow(o.tableId, ids[0], body[0]?.fields ?? {}, entry.versions[ids[0]]);
          o.applyRow(saved);
          stack.current.rebase(saved.id, entry.versions[saved.id], saved.version);
        } catch (e) {
          if (!(e instanceof ApiError && (e.status === 409 || e.status === 404))) throw e;
          refused(1);
          if (e.status === 409) o.applyRow(await endpoints.row(o.tableId, ids[0]));
          return;
        }
      } else {
        const current =
          ids.length <= MAX_VERSION_FETCHES
            ? await currentVersions(o.tableId, ids)
            : new Map(ids.map((id) => [id, o.gridVersion(id) ?? -1]));
        const conflicts = conflictingRows(entry, current);
        if (conflicts.length) {
          refused(conflicts.length);
          return;
        }
        const res = await endpoints.updateRows(o.tableId, body);
        for (const row of res.rows) {
          o.applyRow(row);
          stack.current.rebase(row.id, entry.versions[row.id], row.version);
        }
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
