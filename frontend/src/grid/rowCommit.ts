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

/**
 * Save one cell with optimistic concurrency: the edit shows at once, the PATCH carries
 * If-Match with the row's version. On 409 the row is re-read and the user told that their
 * edit lost to someone else's; on any other error the old value comes back.
 */
export async function commitCell(
  tableId: Id,
  row: Row,
  field: Field,
  value: unknown,
  cb: CommitCallbacks,
): Promise<Row | null> {
  const key = fieldKey(field.id);
  cb.apply({ ...row, fields: { ...row.fields, [key]: value } });
  try {
    const saved = await endpoints.updateRow(tableId, row.id, { [key]: toWriteValue(field, value) }, row.version);
    cb.apply(saved);
    return saved;
  } catch (e) {
    // Only a version conflict means someone else was faster; other 409s (a duplicate
    // unique value, a locked row) are the edit's own problem and say so.
    if (e instanceof ApiError && e.status === 409 && e.code === "VERSION_CONFLICT") {
      try {
        const fresh = await endpoints.row(tableId, row.id);
        cb.apply(fresh);
      } catch {
        cb.apply(row);
      }
      cb.notify(
        `Someone else changed this row meanwhile, so your edit of "${field.name}" was not saved. The row now shows the latest values.`,
        "info",
      );
      return null;
    }
    cb.apply(row);
    cb.notify(e instanceof Error ? e.message : "Could not save", "error");
    return null;
  }
}
