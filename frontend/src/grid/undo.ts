// The grid's undo stack: the last edits and pastes of this grid session, each with the old
// and new values and the row versions it wrote, so an undo can tell whether someone else
// has changed a row since (then it must not overwrite). Pure, unit-tested.
import type { Field, Id } from "../api/types";
import { fieldKey } from "../fields/format";
import { toWriteValue } from "../fields/write";
import type { CellChange } from "./clipboard";

export const UNDO_LIMIT = 20;

export interface UndoEntry {
  tableId: Id;
  /** What the toolbar says: "Undo edit of Stock", "Undo paste of 2 × 2 cells". */
  label: string;
  changes: CellChange[];
  /** Row id → the version our write produced. */
  versions: Record<Id, number>;
}

export class UndoStack {
  private entries: UndoEntry[] = [];

  constructor(private readonly limit = UNDO_LIMIT) {}

  get size(): number {
    return this.entries.length;
  }

  peek(): UndoEntry | undefined {
    return this.entries[this.entries.length - 1];
  }

  push(entry: UndoEntry): void {
    if (!entry.changes.length) return;
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  pop(): UndoEntry | undefined {
    return this.entries.pop();
  }

  clear(): void {
    this.entries = [];
  }

  /**
   * Our own later write took a row from version `from` to `to`: earlier entries that
   * expected `from` now expect `to` (otherwise undoing them after undoing the later one
   * would look like someone else's change).
   */
  rebase(rowId: Id, from: number, to: number): void {
    for (const entry of this.entries) {
      if (entry.versions[rowId] === from) entry.versions[rowId] = to;
    }
  }
}

/** The batch that puts the old values back, one item per row. */
export function undoBody(entry: UndoEntry, fieldsById: Map<Id, Field>): { id: Id; fields: Record<string, unknown> }[] {
  const byRow = new Map<Id, Record<string, unknown>>();
  // Newest change first: when an entry touched a cell twice, the oldest value is kept.
  for (const change of [...entry.changes].reverse()) {
    const field = fieldsById.get(change.fieldId);
    if (!field) continue;
    const fields = byRow.get(change.rowId) ?? {};
    fields[fieldKey(field.id)] = toWriteValue(field, change.old);
    byRow.set(change.rowId, fields);
  }
  return [...byRow].map(([id, fields]) => ({ id, fields }));
}
