import { ApiError } from "../api/client";
import { endpoints } from "../api/endpoints";
import type { Field, Id, Row } from "../api/types";
import { fieldKey } from "../fields/format";
import { toWriteValue } from "../fields/write";

export interface CommitCallbacks {
  /** Show a row value now (optimistic) and later the server's answer. */
  apply: (row: Row) => void;
  notify: (message: string, kind: "error" | "info") => void;
}

export interface Committed {
  saved: Row;
  /** The version the PATCH was sent with (If-Match): the row went from it to `saved.version`. */
  from: number;
}

interface Unsaved {
  key: string;
  value: unknown;
}

/** How many of our own version steps are remembered per row (a queue rarely holds more than a few). */
const REMEMBERED_STEPS = 50;

/**
 * Saves cell edits with optimistic concurrency: the edit shows at once, the PATCH carries
 * If-Match with the row's version, and on 409 the row is re-read and the user told that
 * their edit lost to someone else's.
 *
 * A quick user edits a second cell of a row before the server has answered the first edit,
 * on top of it and still with the old version on screen. Sent as it is, that edit would
 * lose against our own first one. So the edits of one row go out one after another, an
 * edit made on a version our own earlier edit replaced is sent with the version that edit
 * produced, and while edits wait, each server answer is shown with the unsaved values laid
 * over it so no cell flickers back.
 */
export class RowCommitter {
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Row → (version → the version our own write made of it). */
  private readonly steps = new Map<string, Map<number, number>>();
  /** Row → edits shown but not yet answered, oldest first. */
  private readonly unsaved = new Map<string, Unsaved[]>();

  commit(tableId: Id, row: Row, field: Field, value: unknown, cb: CommitCallbacks): Promise<Committed | null> {
    const key = fieldKey(field.id);
    const at = `${tableId}/${row.id}`;
    const mine: Unsaved = { key, value };
    const pending = this.unsaved.get(at) ?? [];
    pending.push(mine);
    this.unsaved.set(at, pending);
    cb.apply(this.overlay(at, { ...row, fields: { ...row.fields, [key]: value } }));

    const previous = this.queues.get(at) ?? Promise.resolve();
    const run = previous.then(() => this.send(at, tableId, row, field, value, cb));
    const done = run.finally(() => {
      pending.splice(pending.indexOf(mine), 1);
      if (!pending.length) this.unsaved.delete(at);
      if (this.queues.get(at) === done) this.queues.delete(at);
    });
    this.queues.set(at, done);
    return done;
  }

  private async send(at: string, tableId: Id, row: Row, field: Field, value: unknown, cb: CommitCallbacks): Promise<Committed | null> {
    const key = fieldKey(field.id);
    const from = this.rebased(at, row.version);
    try {
      const saved = await endpoints.updateRow(tableId, row.id, { [key]: toWriteValue(field, value) }, from);
      this.remember(at, from, saved.version);
      cb.apply(this.overlay(at, saved, true));
      return { saved, from };
    } catch (e) {
      // Only a version conflict means someone else was faster; other 409s (a duplicate
      // unique value, a locked row) are the edit's own problem and say so.
      if (e instanceof ApiError && e.status === 409 && e.code === "VERSION_CONFLICT") {
        try {
          cb.apply(this.overlay(at, await endpoints.row(tableId, row.id), true));
        } catch {
          cb.apply(this.overlay(at, { ...row, version: from }, true));
        }
        cb.notify(
          `Someone else changed this row meanwhile, so your edit of "${field.name}" was not saved. The row now shows the latest values.`,
          "info",
        );
        return null;
      }
      cb.apply(this.overlay(at, { ...row, version: from }, true));
      cb.notify(e instanceof Error ? e.message : "Could not save", "error");
      return null;
    }
  }

  /** The version to send for an edit made on `version`, after our own writes since. */
  private rebased(at: string, version: number): number {
    const steps = this.steps.get(at);
    let v = version;
    for (let guard = 0; steps?.has(v) && guard < REMEMBERED_STEPS; guard++) v = steps.get(v)!;
    return v;
  }

  private remember(at: string, from: number, to: number): void {
    const steps = this.steps.get(at) ?? new Map<number, number>();
    steps.set(from, to);
    if (steps.size > REMEMBERED_STEPS) steps.delete(steps.keys().next().value!);
    this.steps.set(at, steps);
  }

  /**
   * `row` with the values of edits still waiting laid over it. Edits go out in the order
   * they were made, so the one being answered is the oldest: with `answered` it is left out.
   */
  private overlay(at: string, row: Row, answered = false): Row {
    const pending = this.unsaved.get(at)?.slice(answered ? 1 : 0);
    if (!pending?.length) return row;
    const fields = { ...row.fields };
    for (const u of pending) fields[u.key] = u.value;
    return { ...row, fields };
  }
}

/**
 * One committer for the whole page: the grid, the row panel, kanban and calendar may edit
 * the same row, and their edits must queue behind each other.
 */
export const rowCommits = new RowCommitter();

/** Save one cell through the page's committer; the saved row, or null when it was not saved. */
export async function commitCell(tableId: Id, row: Row, field: Field, value: unknown, cb: CommitCallbacks): Promise<Row | null> {
  return (await rowCommits.commit(tableId, row, field, value, cb))?.saved ?? null;
}
