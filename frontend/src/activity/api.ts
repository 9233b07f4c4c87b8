// Who did what: row comments, restoring a row's earlier version, and the base's activity
// log (admins). Kept out of api/endpoints.ts so the feature stays in one place.
import { api, buildUrl } from "../api/client";
import type { Id, Items, Row, UserRef } from "../api/types";

const V1 = "/api/v1";

export interface RowComment {
  id: Id;
  row_id: Id;
  body: string;
  author: { id: Id | null; email: string | null; name: string | null };
  created_at: string;
  updated_at?: string | null;
}

export type ActivityAction = "created" | "updated" | "deleted" | "restored" | "imported";

export interface ActivityChange {
  field_id: string | Id;
  field: string | null;
  old: unknown;
  new: unknown;
}

export interface ActivityItem {
  id: Id;
  at: string;
  action: ActivityAction | string;
  table_id: Id;
  table: string | null;
  row_id: Id | null;
  user: UserRef | null;
  changes: ActivityChange[];
  /** An import: the job's counts (created, updated, rejected, first_id, last_id). */
  summary?: Record<string, unknown>;
}

export interface ActivityPage {
  items: ActivityItem[];
  next_cursor: string | null;
}

const comments = (table: Id, row: Id) => `${V1}/tables/${table}/rows/${row}/comments`;

export const activityApi = {
  comments: (table: Id, row: Id) => api.get<Items<RowComment>>(comments(table, row)),
  addComment: (table: Id, row: Id, body: string) => api.post<RowComment>(comments(table, row), { body }),
  editComment: (table: Id, row: Id, comment: Id, body: string) =>
    api.patch<RowComment>(`${comments(table, row)}/${comment}`, { body }),
  deleteComment: (table: Id, row: Id, comment: Id) => api.del(`${comments(table, row)}/${comment}`),
  /** Put the row back to how it was right after history entry `entry` (a new version). */
  restoreVersion: (table: Id, row: Id, entry: Id) =>
    api.post<Row & { not_restored?: string[] }>(`${V1}/tables/${table}/rows/${row}/history/${entry}/restore`),
  activity: (base: Id, q: { limit?: number; cursor?: string | null; table_id?: Id | null; user_id?: Id | null }, signal?: AbortSignal) =>
    api.get<ActivityPage>(
      buildUrl(`${V1}/bases/${base}/activity`, { limit: q.limit, cursor: q.cursor, table_id: q.table_id, user_id: q.user_id }),
      undefined,
      signal,
    ),
};
